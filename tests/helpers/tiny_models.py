"""Architecture-identical stand-ins for model weights we cannot download: the real classes built
from small configs with random weights, saved to disk so the engines' real loading code runs.
A tokenizer is trained here (byte-level BPE, ChatML template) instead of shipping anyone's file."""

from pathlib import Path

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
    "{% if not (loop.last and continue_final_message) %}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "You are Aldric, an old librarian who guards a ruined castle library.",
    "Who are you, old man? What happened to this place? Tell me about the war.",
    "In the depths of the forgotten library, the last candle still burns.",
]


def chat_tokenizer(vocab_size: int = 512, corpus: list[str] = CORPUS):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus * 20, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token="<unk>")
    fast.chat_template = CHATML
    return fast


def tiny_qwen(folder: Path) -> Path:
    """Qwen2ForCausalLM (Qwen2.5's class) with 2 small layers, random weights, saved with a tokenizer."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    tokenizer = chat_tokenizer()
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         eos_token_id=tokenizer.eos_token_id, tie_word_embeddings=True)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# XTTS v2's released config.json (coqui/XTTS-v2), model_args and the sampling defaults. Only the
# text vocabulary differs in our stand-ins: it comes from the tokenizer trained below (the text
# embedding's size does not change the time per audio token).
XTTS_V2_MODEL_ARGS = {
    "gpt_batch_size": 1, "enable_redaction": False, "kv_cache": True, "num_chars": 255,
    "gpt_max_audio_tokens": 605, "gpt_max_text_tokens": 402, "gpt_max_prompt_tokens": 70,
    "gpt_layers": 30, "gpt_n_model_channels": 1024, "gpt_n_heads": 16, "gpt_number_text_tokens": 6681,
    "gpt_num_audio_tokens": 1026, "gpt_start_audio_token": 1024, "gpt_stop_audio_token": 1025,
    "gpt_code_stride_len": 1024, "gpt_use_masking_gt_prompt_approach": True, "gpt_use_perceiver_resampler": True,
    "input_sample_rate": 22050, "output_sample_rate": 24000, "output_hop_length": 256, "decoder_input_dim": 1024,
    "d_vector_dim": 512, "cond_d_vector_in_each_upsampling_layer": True, "duration_const": 102400,
}
XTTS_V2_SETTINGS = {"temperature": 0.75, "length_penalty": 1.0, "repetition_penalty": 5.0, "top_k": 50,
                    "top_p": 0.85, "gpt_cond_len": 30, "gpt_cond_chunk_len": 4, "max_ref_len": 30}
# Tiny: the same classes (GPT-2 with perceiver conditioning, the full HiFiGAN and speaker encoder).
XTTS_TINY_GPT = {"gpt_layers": 2, "gpt_n_model_channels": 128, "gpt_n_heads": 4, "decoder_input_dim": 128}
XTTS_SPECIAL_TOKENS = ["[STOP]", "[UNK]", "[SPACE]", "[START]", "[en]"]


def xtts_vocab(path: Path, vocab_size: int = 256) -> Path:
    """A BPE vocab.json in the layout XTTS's VoiceBpeTokenizer expects ([en] prefix, [SPACE])."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    alphabet = list("abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'-\"()")
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=XTTS_SPECIAL_TOKENS, initial_alphabet=alphabet)
    tok.train_from_iterator([line.lower().replace(" ", "[SPACE]") for line in CORPUS] * 20, trainer)
    tok.save(str(path))
    return path


def xtts_checkpoint(folder: Path, size: str = "tiny", speakers: tuple[str, ...] = ("Ana Florence",)) -> Path:
    """An XTTS v2 checkpoint folder (config.json, model.pth, vocab.json, speakers_xtts.pth) with random
    weights: `size="full"` is the released architecture, `"tiny"` a 2-layer GPT for unit tests."""
    import json

    import torch

    from parley.engines.tts.coqui import import_xtts

    Xtts, XttsConfig, _ = import_xtts()
    folder.mkdir(parents=True, exist_ok=True)
    vocab = xtts_vocab(folder / "vocab.json")
    model_args = dict(XTTS_V2_MODEL_ARGS, **(XTTS_TINY_GPT if size == "tiny" else {}))
    tokens = json.loads(vocab.read_text())["model"]["vocab"]
    model_args["gpt_number_text_tokens"] = max(tokens.values()) + 1  # what the loader derives from vocab.json
    config_dict = {"model": "xtts", "model_args": model_args, **XTTS_V2_SETTINGS}
    config = XttsConfig()
    config.from_dict(config_dict)
    torch.manual_seed(0)
    model = Xtts(config)
    (folder / "config.json").write_text(json.dumps(config_dict, indent=1))
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    if speakers:
        dim = model_args["gpt_n_model_channels"]
        torch.save({name: {"gpt_cond_latent": torch.randn(1, 32, dim), "speaker_embedding": torch.randn(1, 512, 1)}
                    for name in speakers}, folder / "speakers_xtts.pth")
    return folder
