// A talking NPC without a scene: add this component to an empty GameObject and press Play.
// It starts the Parley runtime on a loading thread, then gives itself an AudioSource and a
// ParleyVoice, greets the player, and logs subtitles as they become audible.
using System.Threading.Tasks;
using Parley;
using Parley.Native;
using UnityEngine;

public class ParleyDemo : MonoBehaviour
{
    [TextArea] public string persona = "You are Aldric, an old librarian who guards a ruined castle library.";
    public string playerLine = "Who are you, old man?";

    ParleyRuntime runtime;
    ParleyVoice npc;

    async void Start()
    {
        // parley_init loads and warms the models (seconds): keep it off the main thread.
        runtime = await Task.Run(() => new ParleyRuntime());
        gameObject.SetActive(false);  // add components while inactive so ParleyVoice.Start sees the persona
        gameObject.AddComponent<AudioSource>();
        npc = gameObject.AddComponent<ParleyVoice>();
        npc.persona = persona;
        npc.onTextSpoken.AddListener(text => Debug.Log("NPC: " + text));
        npc.onFailed.AddListener(message => Debug.LogError("Parley: " + message));
        gameObject.SetActive(true);
        Invoke(nameof(Greet), 0.1f);
    }

    void Greet() { npc.Say(playerLine); }

    void OnApplicationQuit()
    {
        if (runtime != null) runtime.Dispose();
    }
}
