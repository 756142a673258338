"""Missionaries and Cannibals: a one-player state-space search puzzle.

SOLUZION6 problem formulation file.  The state is a NESTED DICT:
    {"left": {"M": 3, "C": 3}, "right": {"M": 0, "C": 0}, "boat": "left"}
Five operators ferry MM, MC, CC, M or C across the river.  A crossing is
applicable only if the people are on the boat's bank and, after the
crossing, missionaries are not outnumbered by cannibals on either bank.
Every move is reversible, so no reachable state is a dead end.
"""
import copy

import soluzion6_02 as sz

TOTAL_M = 3
TOTAL_C = 3
BOAT_CAPACITY = 2
OPTIMAL_CROSSINGS = 11


class Missionaries_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Missionaries and Cannibals"
        self.brief_desc = ("Three missionaries and three cannibals must cross a river "
                           "in a boat that carries at most two people. If cannibals ever "
                           "outnumber missionaries on a bank (where any missionaries are), "
                           "the missionaries are eaten, so such crossings are not allowed. "
                           "Get everyone to the right bank.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-15"


class Missionaries_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [sz.SZ_Role("Solver", "Plans the river crossings.")]
        self.min_players_to_start = 1


def _other(side):
    return "right" if side == "left" else "left"


def _safe(bank):
    return bank["M"] == 0 or bank["M"] >= bank["C"]


class Missionaries_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.d = {"left": {"M": TOTAL_M, "C": TOTAL_C},
                      "right": {"M": 0, "C": 0},
                      "boat": "left"}
            self.crossings = 0
        else:
            self.d = copy.deepcopy(old.d)
            self.crossings = old.crossings
        self.current_role_num = 0
        self.phase = "cross"

    def can_move(self, m, c):
        """May m missionaries and c cannibals cross from the boat's bank?"""
        if self.is_goal():
            return False
        if not (1 <= m + c <= BOAT_CAPACITY):
            return False
        here, there = self.d["boat"], _other(self.d["boat"])
        if self.d[here]["M"] < m or self.d[here]["C"] < c:
            return False
        new_here = {"M": self.d[here]["M"] - m, "C": self.d[here]["C"] - c}
        new_there = {"M": self.d[there]["M"] + m, "C": self.d[there]["C"] + c}
        return _safe(new_here) and _safe(new_there)

    def move(self, m, c):
        news = Missionaries_State(old=self)
        here, there = self.d["boat"], _other(self.d["boat"])
        news.d[here]["M"] -= m
        news.d[here]["C"] -= c
        news.d[there]["M"] += m
        news.d[there]["C"] += c
        news.d["boat"] = there
        news.crossings += 1
        if news.is_goal():
            news.phase = "done"
            news.jit_transition = (f"Everyone is across after {news.crossings} crossings!")
        elif there == "right" and news.d["right"]["M"] + news.d["right"]["C"] == 5:
            news.jit_transition = "Five people on the right bank: one more trip to go."
        return news

    def is_goal(self):
        return self.d["right"]["M"] == TOTAL_M and self.d["right"]["C"] == TOTAL_C

    def goal_message(self):
        msg = f"Solved in {self.crossings} crossings"
        if self.crossings == OPTIMAL_CROSSINGS:
            return msg + ": that is the shortest possible solution. Congratulations!"
        return msg + f". The shortest solution takes {OPTIMAL_CROSSINGS}: can you find it?"

    def _bank_txt(self, side):
        b = self.d[side]
        return "M" * b["M"] + "C" * b["C"]

    def __str__(self):
        left, right = self._bank_txt("left"), self._bank_txt("right")
        boat_l = "[boat]" if self.d["boat"] == "left" else "      "
        boat_r = "[boat]" if self.d["boat"] == "right" else "      "
        return (f"Left bank: {left or '-':<6} {boat_l} ~~~~ river ~~~~ {boat_r} "
                f"Right bank: {right or '-'}\n"
                f"(M = missionary, C = cannibal; crossings so far: {self.crossings})")

    def __eq__(self, other):
        return isinstance(other, Missionaries_State) and self.d == other.d

    def __hash__(self):
        return hash((self.d["left"]["M"], self.d["left"]["C"], self.d["boat"]))


# (label, missionaries, cannibals) in operator-index order
CROSSINGS = [("two missionaries", 2, 0),
             ("one missionary and one cannibal", 1, 1),
             ("two cannibals", 0, 2),
             ("one missionary", 1, 0),
             ("one cannibal", 0, 1)]


def _make_operator(label, m, c):
    return sz.SZ_Operator(
        name=f"Cross the river with {label}",
        description=f"Ferry {label} from the boat's bank to the other bank.",
        precond_func=lambda s, m=m, c=c: s.can_move(m, c),
        state_xition_func=lambda s, m=m, c=c: s.move(m, c),
        role=0,
    )


class Missionaries_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Missionaries_Metadata()
        self.operators = sz.SZ_Operator_Set([_make_operator(*x) for x in CROSSINGS])
        self.roles_spec = Missionaries_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(
            d={"initial_state": Missionaries_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        initial = Missionaries_State()
        self.instance_data.data["initial_state"] = initial
        return initial


MISSIONARIES = Missionaries_Formulation()
