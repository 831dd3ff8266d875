using System;
using Parley.Native;
using UnityEngine;
using UnityEngine.Events;

namespace Parley
{
    [Serializable] public class ParleyTurnEvent : UnityEvent<ulong> { }
    [Serializable] public class ParleyTextEvent : UnityEvent<string> { }

    /// <summary>
    /// An NPC that talks. Put it on a GameObject with an AudioSource; call <see cref="Say"/> with the
    /// player's line. Audio is pulled from libparley inside OnAudioFilterRead (the audio thread: no
    /// allocation, no lock); events are polled in Update and raised as UnityEvents on the main thread.
    /// </summary>
    [RequireComponent(typeof(AudioSource))]
    public class ParleyVoice : MonoBehaviour
    {
        [Tooltip("Who the NPC is: the system prompt of its LLM.")]
        [TextArea] public string persona = "";
        [Tooltip("Engine-specific speaker name; empty = the engine's default voice.")]
        public string ttsVoice = "";

        public ParleyTurnEvent onTurnStarted = new ParleyTurnEvent();
        public ParleyTextEvent onTextSpoken = new ParleyTextEvent();   // a chunk, as it becomes audible
        public ParleyTurnEvent onAudioStarted = new ParleyTurnEvent();
        public ParleyTurnEvent onTurnFinished = new ParleyTurnEvent();
        public ParleyTextEvent onFailed = new ParleyTextEvent();

        ParleyVoiceHandle voice;
        int voiceChannels;
        volatile float level;
        volatile bool speaking;

        /// <summary>Loudness of the audio last pulled (RMS, 0..1), for lip flap.</summary>
        public float Level { get { return level; } }

        public bool IsSpeaking { get { return speaking; } }

        void Start()
        {
            var runtime = ParleyRuntime.Current;
            if (runtime == null)
            {
                onFailed.Invoke("Parley is not initialised: create a ParleyRuntime (e.g. in a loading scene) before voices start");
                enabled = false;
                return;
            }
            voiceChannels = ChannelsOf(AudioSettings.speakerMode);
            try
            {
                voice = runtime.CreateVoice(AudioSettings.outputSampleRate, voiceChannels,
                                            string.IsNullOrEmpty(persona) ? null : persona,
                                            string.IsNullOrEmpty(ttsVoice) ? null : ttsVoice);
            }
            catch (ParleyException e)
            {
                onFailed.Invoke(e.Message);
                enabled = false;
                return;
            }
            var source = GetComponent<AudioSource>();
            source.playOnAwake = false;
            source.loop = true;
            source.Play();  // an AudioSource must play for OnAudioFilterRead to run
        }

        /// <summary>Answers the player's line. Returns the turn id (0 if it could not start).</summary>
        public ulong Say(string playerText) { return Begin(playerText, false); }

        /// <summary>Speaks a fixed line, without the LLMs.</summary>
        public ulong Speak(string line) { return Begin(line, true); }

        public void Cancel()
        {
            if (voice == null) return;
            try { voice.Cancel(); }
            catch (ParleyException e) { onFailed.Invoke(e.Message); }
        }

        ulong Begin(string text, bool fixedLine)
        {
            if (voice == null) { onFailed.Invoke("this ParleyVoice has no voice (see the earlier failure)"); return 0; }
            try { return fixedLine ? voice.Speak(text) : voice.Say(text); }
            catch (ParleyException e) { onFailed.Invoke(e.Message); return 0; }
        }

        void Update()
        {
            if (voice == null) return;
            ParleyEvent ev;
            while (voice.TryPollEvent(out ev))
            {
                switch (ev.Type)
                {
                    case ParleyEventType.TurnStarted: speaking = true; onTurnStarted.Invoke(ev.Turn); break;
                    case ParleyEventType.Text: onTextSpoken.Invoke(ev.Text); break;
                    case ParleyEventType.AudioStarted: onAudioStarted.Invoke(ev.Turn); break;
                    case ParleyEventType.TurnDone:
                    case ParleyEventType.Cancelled: speaking = false; onTurnFinished.Invoke(ev.Turn); break;
                    case ParleyEventType.Error: speaking = false; onFailed.Invoke(ev.Text); break;
                }
            }
        }

        // Audio thread. `data` is Unity's interleaved buffer for `channels`.
        void OnAudioFilterRead(float[] data, int channels)
        {
            var v = voice;
            if (v == null) { Array.Clear(data, 0, data.Length); return; }
            int frames = v.Pull(data, channels);
            double sum = 0;
            int n = frames * channels;
            for (int i = 0; i < n; i++) sum += data[i] * data[i];
            level = n > 0 ? (float)Math.Sqrt(sum / n) : 0f;
        }

        void OnDestroy()
        {
            var v = voice;
            voice = null;
            if (v != null) v.Dispose();
        }

        public static int ChannelsOf(AudioSpeakerMode mode)
        {
            switch (mode)
            {
                case AudioSpeakerMode.Mono: return 1;
                case AudioSpeakerMode.Quad: return 4;
                case AudioSpeakerMode.Surround: return 5;
                case AudioSpeakerMode.Mode5point1: return 6;
                case AudioSpeakerMode.Mode7point1: return 8;
                default: return 2;
            }
        }
    }
}
