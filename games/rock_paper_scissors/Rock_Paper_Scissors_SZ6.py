"""Rock-Paper-Scissors, best of three, with simultaneous (parallel) choices.

SOLUZION6 problem formulation file.  Each round is a parallel phase
(``state.parallel = True``): both players choose, in any order, with
operators that belong to their role (0-2 for Player A, 3-5 for Player B).
A pending choice is hidden information: ``text_view_for_role`` shows a
player its own pending throw only; once both have thrown the round is
resolved and the throws become public.  First to 2 round wins takes the
match; draws count as rounds and the match stops after 9 rounds.
"""
import soluzion6_02 as sz

ROLE_A, ROLE_B, ROLE_OBSERVER = 0, 1, 2
PLAYER_NAMES = ("Player A", "Player B")
THROWS = ("rock", "paper", "scissors")
BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}
VERBS = {("rock", "scissors"): "rock crushes scissors",
         ("paper", "rock"): "paper covers rock",
         ("scissors", "paper"): "scissors cut paper"}
WINS_NEEDED = 2
MAX_ROUNDS = 9


class RPS_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Rock-Paper-Scissors"
        self.brief_desc = ("Two players secretly and simultaneously throw rock, paper or "
                           "scissors. Rock crushes scissors, scissors cut paper, paper covers "
                           f"rock. First to win {WINS_NEEDED} rounds takes the match; tied "
                           f"rounds count, and after {MAX_ROUNDS} rounds the leader wins "
                           "(or it's a draw).")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-15"


class RPS_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [sz.SZ_Role("Player A", "Throws against Player B."),
                      sz.SZ_Role("Player B", "Throws against Player A."),
                      sz.SZ_Role("Observer", "Watches the match; sees throws once revealed.")]
        self.min_players_to_start = 2
        self.max_players = 30


def round_winner(a, b):
    """0 if A's throw wins, 1 if B's, None for a tie."""
    if a == b:
        return None
    return ROLE_A if BEATS[a] == b else ROLE_B


class RPS_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.choices = [None, None]     # pending throws of A and B (hidden)
            self.history = []               # list of (throw_a, throw_b, winner_or_None), public
            self.score = [0, 0]
        else:
            self.choices = list(old.choices)
            self.history = list(old.history)
            self.score = list(old.score)
        self.current_role_num = 0
        self._set_phase()

    def _set_phase(self):
        over = self.is_goal()
        self.parallel = not over
        self.phase = "over" if over else "choose"

    # --- rules ------------------------------------------------------------
    def round_number(self):
        return len(self.history) + 1

    def can_throw(self, role):
        return not self.is_goal() and self.choices[role] is None

    def throw(self, role, what):
        news = RPS_State(old=self)
        news.choices[role] = what
        rnd = self.round_number()
        if news.choices[1 - role] is None:
            news.jit_transition = (f"Round {rnd}: {PLAYER_NAMES[role]} has chosen. "
                                   f"Waiting for {PLAYER_NAMES[1 - role]}.")
        else:
            a, b = news.choices
            w = round_winner(a, b)
            news.history.append((a, b, w))
            news.choices = [None, None]
            if w is None:
                verdict = "it's a tie"
            else:
                news.score[w] += 1
                win, lose = (a, b) if w == ROLE_A else (b, a)
                verdict = f"{VERBS[(win, lose)]}: {PLAYER_NAMES[w]} wins the round"
            msg = (f"Round {rnd}: Player A throws {a}, Player B throws {b}; {verdict}. "
                   f"Score {news.score[0]}-{news.score[1]}.")
            if news.is_goal():
                msg += " " + news.goal_message()
            news.jit_transition = msg
        news._set_phase()
        return news

    # --- outcome ------------------------------------------------------------
    def is_goal(self):
        return max(self.score) >= WINS_NEEDED or len(self.history) >= MAX_ROUNDS

    def match_winner(self):
        if not self.is_goal() or self.score[0] == self.score[1]:
            return None
        return ROLE_A if self.score[0] > self.score[1] else ROLE_B

    def is_win(self, role):
        return self.match_winner() == role and role in (ROLE_A, ROLE_B)

    def is_draw(self):
        return self.is_goal() and self.score[0] == self.score[1]

    def goal_message(self):
        if not self.is_goal():
            return "The match is still on."
        w = self.match_winner()
        s = f"{self.score[0]}-{self.score[1]} after {len(self.history)} rounds"
        if w is None:
            return f"The match is a draw ({s})."
        return f"{PLAYER_NAMES[w]} wins the match ({s})!"

    # --- views ------------------------------------------------------------------
    def _public_lines(self):
        lines = [f"Score: Player A {self.score[0]} - {self.score[1]} Player B "
                 f"(first to {WINS_NEEDED}; at most {MAX_ROUNDS} rounds)"]
        for i, (a, b, w) in enumerate(self.history, 1):
            res = "tie" if w is None else f"{PLAYER_NAMES[w]} wins"
            lines.append(f"  Round {i}: A {a}, B {b} -> {res}")
        return lines

    def _view(self, role):
        lines = self._public_lines()
        if self.is_goal():
            lines.append(self.goal_message())
            return "\n".join(lines)
        lines.append(f"Round {self.round_number()}:")
        for r in (ROLE_A, ROLE_B):
            if r == role and self.choices[r] is not None:
                status = f"you chose {self.choices[r]}"
            elif r == role:
                status = "your move: choose your throw"
            elif self.choices[r] is not None:
                status = "has chosen"
            else:
                status = "is choosing"
            lines.append(f"  {PLAYER_NAMES[r]}: {status}")
        return "\n".join(lines)

    def text_view_for_role(self, role):
        return self._view(role if role in (ROLE_A, ROLE_B) else None)

    def __str__(self):
        # Public view: pending throws are never shown.
        return self._view(None)


def _make_operator(role, what):
    letter = "A" if role == ROLE_A else "B"
    return sz.SZ_Operator(
        name=f"{letter} plays {what}",
        description=f"{PLAYER_NAMES[role]} secretly throws {what} this round.",
        precond_func=lambda s, role=role: s.can_throw(role),
        state_xition_func=lambda s, role=role, what=what: s.throw(role, what),
        role=role,
    )


class RPS_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = RPS_Metadata()
        self.operators = sz.SZ_Operator_Set(
            [_make_operator(role, what) for role in (ROLE_A, ROLE_B) for what in THROWS])
        self.roles_spec = RPS_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(d={"initial_state": RPS_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        initial = RPS_State()
        self.instance_data.data["initial_state"] = initial
        return initial


ROCK_PAPER_SCISSORS = RPS_Formulation()
