// The few UnityEngine types ParleyVoice uses, with Unity's signatures, so that the MonoBehaviour
// compiles (and can be driven) under Mono without a Unity editor. Tests only: never shipped.
using System;
using System.Collections.Generic;

namespace UnityEngine
{
    public class Object { }
    public class Component : Object
    {
        internal GameObject owner;
        public T GetComponent<T>() where T : Component { return owner.Get<T>(); }
    }
    public class Behaviour : Component { public bool enabled = true; }
    public class MonoBehaviour : Behaviour { }

    public class GameObject : Object
    {
        readonly List<Component> components = new List<Component>();
        public T AddComponent<T>() where T : Component, new()
        {
            var c = new T { owner = this };
            components.Add(c);
            return c;
        }
        public T GetComponent<T>() where T : Component { return Get<T>(); }
        internal T Get<T>() where T : Component
        {
            foreach (var c in components) if (c is T) return (T)c;
            return null;
        }
    }

    public sealed class AudioSource : Behaviour
    {
        public bool playOnAwake = true;
        public bool loop;
        public bool isPlaying;
        public void Play() { isPlaying = true; }
    }

    public enum AudioSpeakerMode { Mono = 1, Stereo = 2, Quad = 3, Surround = 4, Mode5point1 = 5, Mode7point1 = 6, Prologic = 7 }

    public static class AudioSettings
    {
        public static int outputSampleRate = 48000;
        public static AudioSpeakerMode speakerMode = AudioSpeakerMode.Stereo;
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class RequireComponent : Attribute { public RequireComponent(Type t) { } }
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TooltipAttribute : Attribute { public TooltipAttribute(string tooltip) { } }
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TextAreaAttribute : Attribute { }
}

namespace UnityEngine.Events
{
    public class UnityEvent<T0>
    {
        readonly List<Action<T0>> listeners = new List<Action<T0>>();
        public void AddListener(Action<T0> call) { listeners.Add(call); }
        public void Invoke(T0 arg) { foreach (var l in listeners) l(arg); }
    }
}
