"""Click the Word: find the noun, verb or adjective in a sentence.

Five rounds; each round shows one sentence and asks for a word class.
Sentences and targets are drawn with the global ``random`` in
initialize_problem.  There is one operator per word position (built at
module level for the longest sentence), so a word's operator index is
stable; the vis maps clicks on the words to those indexes (Tier 2 regions).
"""
import random

import soluzion6_02 as sz

READER, OBSERVER = 0, 1
ROUNDS = 5
POS_NAMES = {"N": "noun", "V": "verb", "A": "adjective"}
HINTS = {
    "noun": "A noun names a person, animal, place, thing or idea (dog, beach, Sunday).",
    "verb": "A verb tells what someone or something does or did (jumps, sang, built).",
    "adjective": "An adjective describes a noun: what kind, which colour, how big (lazy, red).",
}

# Each sentence as "word/TAG" tokens: N noun, V verb, A adjective, O other.
SENTENCES = [
    "The/O quick/A brown/A fox/N jumps/V over/O the/O lazy/A dog/N",
    "A/O tiny/A bird/N sang/V in/O the/O tall/A tree/N",
    "My/O grandmother/N bakes/V delicious/A bread/N every/O Sunday/N",
    "The/O happy/A children/N built/V a/O huge/A sandcastle/N on/O the/O beach/N",
    "Cold/A rain/N fell/V on/O the/O quiet/A village/N all/O night/N",
    "The/O curious/A cat/N watched/V the/O red/A ball/N",
    "Our/O teacher/N reads/V funny/A stories/N after/O lunch/N",
    "Bright/A stars/N shine/V above/O the/O dark/A mountains/N",
    "The/O old/A sailor/N painted/V his/O small/A boat/N",
    "Hungry/A bears/N search/V the/O forest/N for/O sweet/A berries/N",
    "The/O brave/A firefighter/N carried/V a/O frightened/A puppy/N down/O the/O ladder/N",
    "Gentle/A waves/N washed/V over/O the/O smooth/A white/A stones/N",
]
PARSED = [[tuple(tok.split("/")) for tok in s.split()] for s in SENTENCES]
MAX_WORDS = max(len(p) for p in PARSED)
OP_SKIP = MAX_WORDS


class Word_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Click the Word"
        self.brief_desc = "Five rounds: click the noun, verb or adjective in a sentence."
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["szportal built-in games"]
        self.creation_date = "2026-11-21"


class Word_State(sz.SZ_State):
    def __init__(self, old=None, rounds=None):
        if old is None:
            self.current_role_num = READER
            self.parallel = False
            self.phase = "choosing"
            self.rounds = list(rounds or [])   # (sentence index, target POS name)
            self.round = 0
            self.score = 0
            self.results = []                  # (word, target, correct, skipped)
        else:
            self.current_role_num = old.current_role_num
            self.parallel = False
            self.phase = old.phase
            self.rounds = list(old.rounds)
            self.round = old.round
            self.score = old.score
            self.results = list(old.results)

    def words(self):
        if self.round >= len(self.rounds):
            return []
        return [w for w, _ in PARSED[self.rounds[self.round][0]]]

    def target(self):
        return self.rounds[self.round][1] if self.round < len(self.rounds) else None

    def is_goal(self):
        return self.round >= len(self.rounds)

    def goal_message(self):
        return f"All {len(self.rounds)} rounds done: you scored {self.score} of {len(self.rounds)}."

    def last_result_text(self):
        if not self.results:
            return ""
        word, target, correct, skipped = self.results[-1]
        if skipped:
            return f"Last round skipped ({with_article(target)} was wanted)."
        if correct:
            return f"Last round: '{word}' is {with_article(target)}. Correct!"
        return f"Last round: '{word}' is not {with_article(target)}."

    def __str__(self):
        return self.text_view_for_role(READER)

    def text_view_for_role(self, role):
        # The word classes of the current sentence stay hidden until it is over.
        if self.is_goal():
            lines = [self.goal_message()]
            for i, (word, target, correct, skipped) in enumerate(self.results, 1):
                mark = "skipped" if skipped else ("correct" if correct else "wrong")
                lines.append(f"Round {i}: asked for {with_article(target)}; "
                             f"{'-' if skipped else repr(word)} ({mark})")
            return "\n".join(lines)
        words = self.words()
        lines = [f"Round {self.round + 1} of {len(self.rounds)} - score {self.score}",
                 f"Click {with_article(self.target()).upper()}:",
                 "  " + "  ".join(f"[{i + 1}] {w}" for i, w in enumerate(words))]
        if self.results:
            lines.append(self.last_result_text())
        return "\n".join(lines)


def with_article(noun):
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _advance(news):
    news.round += 1
    if news.is_goal():
        news.phase = "done"


def choose(i):
    def transition(s):
        word, tag = PARSED[s.rounds[s.round][0]][i]
        target = s.target()
        correct = POS_NAMES.get(tag) == target
        news = Word_State(old=s)
        news.results.append((word, target, correct, False))
        if correct:
            news.score += 1
            msg = f"Yes! '{word}' is {with_article(target)}."
        else:
            kind = POS_NAMES.get(tag)
            msg = (f"Not quite: '{word}' is {with_article(kind)}." if kind else
                   f"Not quite: '{word}' is not a noun, verb or adjective.")
        _advance(news)
        news.jit_transition = msg + (" " + news.goal_message() if news.is_goal() else "")
        return news
    return transition


def skip(s):
    news = Word_State(old=s)
    news.results.append(("", s.target(), False, True))
    answers = [w for w, t in PARSED[s.rounds[s.round][0]] if POS_NAMES.get(t) == s.target()]
    _advance(news)
    news.jit_transition = (f"Skipped. The {s.target()}s were: {', '.join(answers)}."
                           + (" " + news.goal_message() if news.is_goal() else ""))
    return news


def _word_name(i):
    def name(s):
        try:
            words = s.words()
            return f"Choose word {i + 1}: {words[i]}" if i < len(words) else f"Choose word {i + 1}"
        except Exception:
            return f"Choose word {i + 1}"
    return name


OPERATORS = [sz.SZ_Operator(_word_name(i), f"Pick word number {i + 1} of the sentence.",
                            (lambda s, i=i: not s.is_goal() and i < len(s.words())),
                            choose(i), role=READER)
             for i in range(MAX_WORDS)]
OPERATORS.append(sz.SZ_Operator("Skip this round", "Give up on this sentence (no point).",
                                lambda s: not s.is_goal(), skip, role=READER))


class Word_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Word_Metadata()
        self.common_data = sz.SZ_Common_Data()
        self.roles_spec = sz.SZ_Roles_Spec(
            [sz.SZ_Role("Reader", "Finds the word of the asked class."),
             sz.SZ_Role("Observer", "Watches the rounds.")],
            min_players_to_start=1, max_players=30)
        self.operators = sz.SZ_Operator_Set(OPERATORS)
        self.instance_data = sz.SZ_Problem_Instance_Data({})
        self.vis_module = None

    def initialize_problem(self, config={}):
        picks = random.sample(range(len(PARSED)), ROUNDS)
        rounds = [(k, random.choice(["noun", "verb", "adjective"])) for k in picks]
        state = Word_State(rounds=rounds)
        self.instance_data.data["initial_state"] = state
        return state


CLICK_THE_WORD = Word_Formulation()
