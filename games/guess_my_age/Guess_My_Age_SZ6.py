"""Guess My Age: find a secret age between 14 and 21.

SOLUZION6 problem formulation file.  It exercises operators that do not
exist until ``initialize_problem`` runs: that method picks the secret age
with the global ``random`` (seeded by the host per play-through), keeps it
in the module global ``SECRET_AGE`` (never in the state), and builds the
operators as closures over it.  The "Guess" operator takes an int parameter
with a range; "Ask for a hint" takes none and may be used once.
"""
import random

import soluzion6_02 as sz

MIN_AGE = 14
MAX_AGE = 21
MAX_GUESSES = 8          # bounded play: after 8 wrong guesses the game ends
ROLE_GUESSER, ROLE_OBSERVER = 0, 1

SECRET_AGE = None        # chosen in initialize_problem; module global, not in the state
operators = None         # built in initialize_problem


class GuessMyAge_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Guess My Age"
        self.brief_desc = (f"I am between {MIN_AGE} and {MAX_AGE} years old. Guess my age: "
                           "after each guess I say whether it is too high or too low. "
                           f"You may ask for one hint, and you have {MAX_GUESSES} guesses.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-15"


class GuessMyAge_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [sz.SZ_Role("Guesser", "Guesses the secret age."),
                      sz.SZ_Role("Observer", "Watches the guesses.")]
        self.min_players_to_start = 1
        self.max_players = 30


class GuessMyAge_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.guesses = []          # list of (age, verdict) with verdict in high/low/correct
            self.hint = None           # text of the hint once asked
            self.solved = False
            self.low = MIN_AGE         # what the feedback so far allows (public knowledge)
            self.high = MAX_AGE
        else:
            self.guesses = list(old.guesses)
            self.hint = old.hint
            self.solved = old.solved
            self.low = old.low
            self.high = old.high
        self.current_role_num = ROLE_GUESSER
        self.phase = "guess"

    def n_guesses(self):
        return len(self.guesses)

    def out_of_guesses(self):
        return not self.solved and len(self.guesses) >= MAX_GUESSES

    def is_goal(self):
        return self.solved or self.out_of_guesses()

    def is_win(self, role):
        return self.solved and role == ROLE_GUESSER

    def is_draw(self):
        return False

    def goal_message(self):
        n = len(self.guesses)
        if self.solved:
            age = self.guesses[-1][0]
            plural = "guess" if n == 1 else "guesses"
            extra = " (with a hint)" if self.hint else ""
            return f"Correct! I am {age}. You found it in {n} {plural}{extra}."
        if self.out_of_guesses():
            return (f"Out of guesses after {n} tries. I was {SECRET_AGE}. "
                    "Tip: always guess the middle of the remaining range.")
        return "Keep guessing."

    def __str__(self):
        lines = [f"I am between {MIN_AGE} and {MAX_AGE} years old."]
        if self.guesses:
            lines.append("Guesses so far: " + ", ".join(
                f"{age} ({'correct' if v == 'correct' else 'too ' + v})"
                for age, v in self.guesses))
        else:
            lines.append("No guesses yet.")
        if self.hint:
            lines.append("Hint: " + self.hint)
        if not self.is_goal():
            lines.append(f"Guesses used: {len(self.guesses)} of {MAX_GUESSES}.")
        return "\n".join(lines)

    def text_view_for_role(self, role):
        # The secret lives only in the module global, so every role sees the
        # same public information.
        return str(self)


def _build_operators(secret):
    def can_guess(s):
        return not s.is_goal()

    def guess(s, args):
        age = int(args[0])
        news = GuessMyAge_State(old=s)
        if age > secret:
            verdict = "high"
            news.high = min(news.high, age - 1)
            news.jit_transition = f"{age}? Too high! I am younger than that."
        elif age < secret:
            verdict = "low"
            news.low = max(news.low, age + 1)
            news.jit_transition = f"{age}? Too low! I am older than that."
        else:
            verdict = "correct"
            news.solved = True
            news.low = news.high = age
            news.jit_transition = f"{age}? Correct, that's my age!"
        news.guesses.append((age, verdict))
        if news.is_goal():
            news.phase = "done"
            if not news.solved:
                news.jit_transition += f" That was the last guess: I am {secret}."
        return news

    def can_hint(s):
        return s.hint is None and not s.is_goal()

    def hint(s):
        news = GuessMyAge_State(old=s)
        if secret >= 18:
            news.hint = "I am old enough to vote (18 or older)."
        else:
            news.hint = "I am not old enough to vote yet (under 18)."
        news.jit_transition = "Hint: " + news.hint
        return news

    return sz.SZ_Operator_Set([
        sz.SZ_Operator(
            name="Guess",
            description=f"Guess an age from {MIN_AGE} to {MAX_AGE}.",
            precond_func=can_guess,
            state_xition_func=guess,
            params=[{"name": "age", "type": "int", "min": MIN_AGE, "max": MAX_AGE}],
            role=ROLE_GUESSER),
        sz.SZ_Operator(
            name="Ask for a hint",
            description="Get one clue about the age (only once per game).",
            precond_func=can_hint,
            state_xition_func=hint,
            role=ROLE_GUESSER),
    ])


class GuessMyAge_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = GuessMyAge_Metadata()
        self.operators = None            # built by initialize_problem
        self.roles_spec = GuessMyAge_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(d={})
        self.vis_module = None

    def initialize_problem(self, config={}):
        global SECRET_AGE, operators
        SECRET_AGE = random.randint(MIN_AGE, MAX_AGE)
        operators = _build_operators(SECRET_AGE)
        self.operators = operators
        initial = GuessMyAge_State()
        self.instance_data.data["initial_state"] = initial
        return initial


GUESS_MY_AGE = GuessMyAge_Formulation()
