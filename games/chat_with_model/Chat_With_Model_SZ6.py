"""Chat with a Model: a conversation whose replies come from a slow responder.

Each "Say something" move sends the Student's message to a responder and
stores both lines in the state.  If the environment variable
SZ_CHAT_MODEL_URL is set, the responder is an external service reached by an
HTTP POST (JSON ``{"message", "history"}``; the reply is JSON with a
``reply`` field, or plain text).  Otherwise a built-in ELIZA-style rule
responder answers, after a simulated delay of SZ_CHAT_DELAY seconds
(default 0.5), so hosts must cope with transitions that take time.
"""
import json
import os
import re
import time
import urllib.error
import urllib.request

import soluzion6_02 as sz

MAX_EXCHANGES = 20
MAX_REPLY_CHARS = 2000
STUDENT, OBSERVER = 0, 1
MODEL_NAME = "Eliza"

REFLECTIONS = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "am": "are",
    "i'm": "you're", "i've": "you've", "i'll": "you'll", "myself": "yourself",
    "you": "I", "your": "my", "yours": "mine", "you're": "I'm", "yourself": "myself",
    "are": "am", "was": "were",
}

# (pattern, replies); "{0}" is the reflected first group.  The reply used is
# chosen by the exchange number, so the conversation is deterministic.
RULES = [
    (r"^\s*$", ["You can say anything. What is on your mind?",
                "I'm listening. Tell me something."]),
    (r"\b(?:hello|hi|hey|good (?:morning|afternoon|evening))\b",
     ["Hello! What would you like to talk about today?",
      "Hi there. How is your day going?"]),
    (r"\bi need (.+)", ["Why do you need {0}?",
                        "Would it really help you to get {0}?"]),
    (r"\bi (?:feel|am feeling) (.+)", ["Why do you feel {0}?",
                                       "How long have you felt {0}?"]),
    (r"\bi am (.+)", ["How long have you been {0}?",
                      "Why do you say you are {0}?"]),
    (r"\bi'm (.+)", ["Why are you {0}?", "Does being {0} happen to you often?"]),
    (r"\bi (?:think|believe) (.+)", ["What makes you think {0}?",
                                     "Are you sure that {0}?"]),
    (r"\bi (?:like|love|enjoy) (.+)", ["What do you like most about {0}?",
                                       "When did you start to enjoy {0}?"]),
    (r"\bbecause (.+)", ["Is that the real reason?",
                         "What else could explain that?"]),
    (r"\b(?:mother|father|mom|dad|sister|brother|family)\b",
     ["Tell me more about your family.",
      "How do you get along with your family?"]),
    (r"\b(?:school|homework|teacher|class|exam|test)\b",
     ["How do you feel about school at the moment?",
      "What is the hardest part of your classes?"]),
    (r"\bare you (.+)", ["Why does it matter whether I am {0}?",
                         "Would you prefer it if I were not {0}?"]),
    (r"\byou (.+)", ["We were talking about you, not me.",
                     "Why do you say that I {0}?"]),
    (r"\b(?:yes|yeah|sure)\b", ["You seem quite sure.", "OK, and then?"]),
    (r"\b(?:no|nope|not really)\b", ["Why not?", "You sound certain. Tell me more."]),
    (r"\?\s*$", ["Why do you ask?", "What do you think the answer is?"]),
    (r"(.+)", ["Please tell me more.", "I see. Go on.",
               "How does that make you feel?", "Can you give me an example?"]),
]


class Chat_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Chat with a Model"
        self.brief_desc = ("Hold a short conversation with a (slow) chat model and "
                           "see how a rule-based responder answers.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["szportal built-in games"]
        self.creation_date = "2026-11-21"


def reflect(fragment):
    swapped = re.sub(r"[\w']+", lambda m: REFLECTIONS.get(m.group(0).lower(), m.group(0)),
                     fragment)
    return swapped.strip().rstrip(" .!?,;")


def eliza_reply(message, exchange_number):
    """The built-in rule responder; deterministic in (message, exchange_number)."""
    text = message.strip()
    for pattern, replies in RULES:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            reply = replies[exchange_number % len(replies)]
            groups = [reflect(g) for g in m.groups() if g is not None]
            return reply.format(*groups) if groups else reply
    return "Please go on."


def remote_reply(url, message, history):
    """POST to the external model service; RuntimeError when it cannot answer."""
    body = json.dumps({"message": message,
                       "history": [list(pair) for pair in history]}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read(64_000).decode("utf-8", errors="replace")
    except urllib.error.URLError as exc:
        raise RuntimeError(f"model service unreachable at {url}: {exc.reason}") from exc
    except Exception as exc:  # timeouts, resets, bad URLs
        raise RuntimeError(f"model service unreachable at {url}: {exc}") from exc
    try:
        data = json.loads(raw)
    except ValueError:
        data = raw
    if isinstance(data, dict):
        data = data.get("reply", data.get("response", data.get("text", "")))
    reply = str(data).strip()
    return reply[:MAX_REPLY_CHARS] or "(no reply)"


def respond(message, history, exchange_number):
    url = os.environ.get("SZ_CHAT_MODEL_URL")
    if url:
        return remote_reply(url, message, history)
    # Stand-in for a model's latency: a host must not freeze while waiting.
    time.sleep(max(0.0, float(os.environ.get("SZ_CHAT_DELAY", "0.5"))))
    return eliza_reply(message, exchange_number)


class Chat_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.current_role_num = STUDENT
            self.parallel = False
            self.phase = "chatting"
            self.history = [(MODEL_NAME, "Hello, I am Eliza. What would you like to talk about?")]
            self.exchanges = 0
            self.ended = False
        else:
            self.current_role_num = old.current_role_num
            self.parallel = False
            self.phase = old.phase
            self.history = [tuple(pair) for pair in old.history]
            self.exchanges = old.exchanges
            self.ended = old.ended

    def can_say(self):
        return not self.ended and self.exchanges < MAX_EXCHANGES

    def can_end(self):
        return not self.ended and 1 <= self.exchanges < MAX_EXCHANGES

    def is_goal(self):
        return self.ended or self.exchanges >= MAX_EXCHANGES

    def goal_message(self):
        if self.exchanges >= MAX_EXCHANGES and not self.ended:
            return f"The conversation reached its limit of {MAX_EXCHANGES} exchanges."
        return f"Conversation ended after {self.exchanges} exchange(s)."

    def __str__(self):
        lines = [f"Conversation ({self.exchanges} of {MAX_EXCHANGES} exchanges):"]
        lines += [f"{speaker}: {text}" for speaker, text in self.history]
        if self.is_goal():
            lines.append(self.goal_message())
        return "\n".join(lines)


def say(state, args):
    message = str(args[0]) if args else ""
    reply = respond(message, state.history, state.exchanges)
    news = Chat_State(old=state)
    news.history.append(("Student", message))
    news.history.append((MODEL_NAME, reply))
    news.exchanges += 1
    if news.exchanges >= MAX_EXCHANGES:
        news.phase = "ended"
        news.jit_transition = f"{MODEL_NAME}: {reply}\n{news.goal_message()}"
    else:
        news.jit_transition = f"{MODEL_NAME}: {reply}"
    return news


def end_conversation(state):
    news = Chat_State(old=state)
    news.ended = True
    news.phase = "ended"
    news.history.append((MODEL_NAME, "Goodbye. Thank you for talking with me."))
    news.jit_transition = news.goal_message()
    return news


class Chat_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Chat_Metadata()
        self.common_data = sz.SZ_Common_Data()
        self.roles_spec = sz.SZ_Roles_Spec(
            [sz.SZ_Role("Student", "Talks with the model."),
             sz.SZ_Role("Observer", "Reads the conversation.")],
            min_players_to_start=1, max_players=30)
        self.operators = sz.SZ_Operator_Set([
            sz.SZ_Operator("Say something", "Send a message to the model and wait for its reply.",
                           lambda s: s.can_say(), say,
                           params=[{"name": "message", "type": "str"}], role=STUDENT),
            sz.SZ_Operator("End conversation", "Say goodbye and finish.",
                           lambda s: s.can_end(), end_conversation, role=STUDENT),
        ])
        self.instance_data = sz.SZ_Problem_Instance_Data({"initial_state": Chat_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        state = Chat_State()
        self.instance_data.data["initial_state"] = state
        return state


CHAT_WITH_MODEL = Chat_Formulation()
