"""Deduction Cards: a Clue-like hidden-information card game (SOLUZION6 PFF).

Up to six detectives (roles 0..5) plus an Observer (role 6).  A secret
envelope holds one suspect, one weapon and one room; the other 15 cards are
dealt round-robin to the seated detectives.

SECRETS LIVE IN MODULE GLOBALS, never in the state:
  ``_ENVELOPE``  the three envelope cards (set by initialize_problem),
  ``_HANDS``     role -> sorted list of the cards it holds,
  ``_SHOWN``     suggestion number -> (shower, suggester, card): which card was
                 shown privately (written by the "Show card" transitions).
The state carries only public information: whose turn, the phase, the
suggestions and who could or could not answer them, accusations.  A host
must load each play-through as a fresh module (the contract) so that two
play-throughs never share these globals.  The envelope is copied into the
state only when the game is over (it is public then).

A turn has SUB-TURNS (``state.phase``):
  pick_suspect -> pick_weapon -> pick_room      (the suggester)
  respond                                         (each other detective in turn
                                                   order: "Show card X", or the
                                                   forced "Cannot show")
  decide                                          (the suggester: accuse or end)
  accuse_suspect -> accuse_weapon -> accuse_room  (a free accusation)
  game_over
All 60 operators have fixed indices and ``role=None``; their preconditions
check the phase, and the host lets only ``current_role_num`` apply them.
"""
import random

import soluzion6_02 as sz

N_DETECTIVES = 6
OBSERVER = 6
ROUNDS_CAP = 12            # rounds (one turn per seated detective) before the case goes cold

SUSPECTS = ("Countess Amber", "Doctor Birch", "Captain Cobalt",
            "Professor Dune", "Reverend Ember", "Madame Frost")
WEAPONS = ("Silver Dagger", "Lead Pipe", "Poison Vial",
           "Old Revolver", "Rope Coil", "Iron Wrench")
ROOMS = ("Library", "Kitchen", "Greenhouse", "Ballroom", "Observatory", "Wine Cellar")
CATEGORIES = ("suspect", "weapon", "room")
CARDS = SUSPECTS + WEAPONS + ROOMS            # card index 0..17
CATEGORY_CARDS = (SUSPECTS, WEAPONS, ROOMS)

DESCRIPTIONS = {
    "Countess Amber": "A suspect: the countess who owns the manor and hates losing at cards.",
    "Doctor Birch": "A suspect: the family doctor, always carrying a black bag.",
    "Captain Cobalt": "A suspect: a retired sea captain with a loud laugh.",
    "Professor Dune": "A suspect: an astronomer who rarely leaves the observatory.",
    "Reverend Ember": "A suspect: the vicar, who knows everybody's secrets.",
    "Madame Frost": "A suspect: a famous singer visiting for the weekend.",
    "Silver Dagger": "A weapon: an antique letter-opener from the study.",
    "Lead Pipe": "A weapon: left behind by the plumber.",
    "Poison Vial": "A weapon: a small bottle with no label.",
    "Old Revolver": "A weapon: a souvenir from the captain's travels.",
    "Rope Coil": "A weapon: a heavy rope from the boathouse.",
    "Iron Wrench": "A weapon: from the greenhouse toolbox.",
    "Library": "A room: two floors of books and a rolling ladder.",
    "Kitchen": "A room: copper pans and a very large oven.",
    "Greenhouse": "A room: orchids, ferns and a leaking roof.",
    "Ballroom": "A room: a grand piano and a chandelier.",
    "Observatory": "A room: a brass telescope under a glass dome.",
    "Wine Cellar": "A room: cold, dark, and full of dusty bottles.",
}

# ---- module globals holding the secrets (set by initialize_problem) -------
_ENVELOPE = ()          # (suspect, weapon, room) card names
_HANDS = {}             # role -> sorted list of card names (in CARDS order)
_SHOWN = {}             # suggestion number -> (shower, suggester, card name)

# ---- fixed operator indices -------------------------------------------------
OP_SUGGEST = (0, 6, 12)          # + k: suggest suspect/weapon/room k
OP_SHOW = 18                     # + card index (18 ops)
OP_CANNOT_SHOW = 36              # bookkeeping
OP_ACCUSE_CURRENT = 37
OP_END_TURN = 38
OP_ACCUSE_NOW = 39               # from pick_suspect, without suggesting
OP_ACCUSE_OTHER = 40             # from decide: a different accusation
OP_ACCUSE_PICK = (41, 47, 53)    # + k: accuse suspect/weapon/room k
OP_CANCEL = 59
N_OPERATORS = 60

PICK_PHASES = ("pick_suspect", "pick_weapon", "pick_room")
ACCUSE_PHASES = ("accuse_suspect", "accuse_weapon", "accuse_room")


def role_name(r):
    return "Observer" if r == OBSERVER else f"Detective {r + 1}"


def card_category(card):
    return CATEGORIES[CARDS.index(card) // 6]


def triple_text(cards):
    s, w, r = (list(cards) + [None] * 3)[:3]
    return f"{s or '?'} with the {w or '?'} in the {r or '?'}"


# ---- metadata, roles ----------------------------------------------------------
class DeductionCards_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Deduction Cards"
        self.brief_desc = ("A Clue-like deduction game for 3 to 6 detectives: make "
                           "suggestions, see the cards others show you in secret, and be "
                           "the first to name the suspect, weapon and room in the envelope.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-20"


class DeductionCards_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [sz.SZ_Role(role_name(r), f"Detective number {r + 1}.")
                      for r in range(N_DETECTIVES)]
        self.roles.append(sz.SZ_Role("Observer", "Watches the public side of the game."))
        self.min_players_to_start = 3
        self.max_players = 7


# ---- state -------------------------------------------------------------------
class DeductionCards_State(sz.SZ_State):
    def __init__(self, old=None, active=None):
        if old is None:
            self.active = sorted(active) if active else [0, 1, 2]
            self.eliminated = []
            self.suggester = self.active[0]
            self.current_role_num = self.active[0]
            self.phase = "pick_suspect"
            self.suggestion = []        # card names picked so far
            self.accusation = []
            self.accuse_from = None     # phase to go back to on cancel
            self.cancel_used = False
            self.responders = []        # roles still to be asked
            self.suggestion_no = 0      # number of the current/last suggestion
            self.history = []           # public events (dicts)
            self.turns_done = 0
            self.max_turns = ROUNDS_CAP * len(self.active)
            self.winner = None
            self.end_reason = None
            self.revealed = None        # the envelope, copied here when the game is over
        else:
            self.active = list(old.active)
            self.eliminated = list(old.eliminated)
            self.suggester = old.suggester
            self.current_role_num = old.current_role_num
            self.phase = old.phase
            self.suggestion = list(old.suggestion)
            self.accusation = list(old.accusation)
            self.accuse_from = old.accuse_from
            self.cancel_used = old.cancel_used
            self.responders = list(old.responders)
            self.suggestion_no = old.suggestion_no
            self.history = [dict(e, cards=list(e["cards"]),
                                 passed=list(e.get("passed", []))) for e in old.history]
            self.turns_done = old.turns_done
            self.max_turns = old.max_turns
            self.winner = old.winner
            self.end_reason = old.end_reason
            self.revealed = list(old.revealed) if old.revealed else None

    # -- helpers --
    def alive(self):
        return [r for r in self.active if r not in self.eliminated]

    def round_no(self):
        return self.turns_done // max(1, len(self.active)) + 1

    # -- outcome --
    def is_goal(self):
        return self.phase == "game_over"

    def is_win(self, role):
        return self.is_goal() and self.winner is not None and role == self.winner

    def is_draw(self):
        return self.is_goal() and self.winner is None

    def goal_message(self):
        if not self.is_goal():
            return "The case is still open."
        answer = triple_text(self.revealed or [])
        if self.winner is not None:
            return f"{self.end_reason} {role_name(self.winner)} wins! It was {answer}."
        return f"{self.end_reason} Nobody wins. It was {answer}."

    # -- views --
    def public_lines(self):
        lines = []
        if self.is_goal():
            lines.append("GAME OVER. " + self.goal_message())
        else:
            who = role_name(self.current_role_num)
            lines.append(f"Round {self.round_no()} of {ROUNDS_CAP}. "
                         f"{role_name(self.suggester)}'s turn; {who} to act ({self.phase}).")
            if self.phase in PICK_PHASES[1:] or self.phase in ("respond", "decide"):
                lines.append(f"Current suggestion: {triple_text(self.suggestion)}.")
            if self.phase in ACCUSE_PHASES:
                lines.append(f"Accusation being made: {triple_text(self.accusation)}.")
        lines.append("Seated: " + ", ".join(role_name(r) for r in self.active) + ".")
        if self.eliminated:
            lines.append("Eliminated (still show cards): "
                         + ", ".join(role_name(r) for r in self.eliminated) + ".")
        if self.history:
            lines.append("History:")
            for e in self.history:
                lines.append("  " + event_text(e))
        return lines

    def __str__(self):
        return "\n".join(["Deduction Cards (public view)"] + self.public_lines())

    def text_view_for_role(self, role):
        if role not in self.active:
            return str(self)
        g = globals()
        hand = g["_HANDS"].get(role, [])
        lines = [f"Deduction Cards: you are {role_name(role)}.",
                 "Your hand: " + (", ".join(hand) if hand else "(no cards)") + "."]
        seen, showed = private_knowledge(self, role)
        if seen:
            lines.append("Cards shown to you: " + "; ".join(
                f"{card} (by {role_name(p)}, suggestion {k})" for k, p, card in seen) + ".")
        if showed:
            lines.append("Cards you showed: " + "; ".join(
                f"{card} to {role_name(p)} (suggestion {k})" for k, p, card in showed) + ".")
        if role in self.eliminated:
            lines.append("You are eliminated: you can no longer win, but you still show cards.")
        return "\n".join(lines + self.public_lines())

    def __eq__(self, other):
        return isinstance(other, DeductionCards_State) and self.__dict__ == other.__dict__

    def __hash__(self):
        return hash((self.phase, self.current_role_num, self.suggestion_no,
                     tuple(self.suggestion), self.turns_done))


def event_text(e):
    if e["kind"] == "suggestion":
        t = f"#{e['k']} {role_name(e['by'])} suggested {triple_text(e['cards'])}"
        parts = [f"{role_name(p)} could not show" for p in e["passed"]]
        if e.get("shown_by") is not None:
            parts.append(f"{role_name(e['shown_by'])} showed a card")
        elif e.get("done"):
            parts.append("nobody showed a card")
        return t + (": " + "; ".join(parts) if parts else "") + "."
    verdict = "correct!" if e["correct"] else "wrong, eliminated."
    return f"{role_name(e['by'])} accused {triple_text(e['cards'])}: {verdict}"


def private_knowledge(state, role):
    """(seen, showed): lists of (suggestion no, other role, card) for role.

    Only suggestions recorded in this state's public history count (the
    global ``_SHOWN`` may hold entries of an undone branch)."""
    shown = globals()["_SHOWN"]
    seen, showed = [], []
    for e in state.history:
        if e["kind"] != "suggestion" or e.get("shown_by") is None:
            continue
        entry = shown.get(e["k"])
        if not entry or entry[0] != e["shown_by"] or entry[1] != e["by"]:
            continue
        shower, suggester, card = entry
        if suggester == role:
            seen.append((e["k"], shower, card))
        elif shower == role:
            showed.append((e["k"], suggester, card))
    return seen, showed


# ---- turn flow ----------------------------------------------------------------
def _next_alive_after(state, role):
    order = state.active
    i = order.index(role)
    for k in range(1, len(order) + 1):
        r = order[(i + k) % len(order)]
        if r not in state.eliminated:
            return r
    return None


def _game_over(ns, winner, reason):
    ns.phase = "game_over"
    ns.winner = winner
    ns.end_reason = reason
    ns.revealed = list(_ENVELOPE)
    ns.responders = []
    ns.current_role_num = -1


def _next_turn(ns):
    ns.turns_done += 1
    if ns.turns_done >= ns.max_turns:
        _game_over(ns, None, f"After {ROUNDS_CAP} rounds the case went cold.")
        return
    nxt = _next_alive_after(ns, ns.suggester)
    ns.suggester = nxt
    ns.current_role_num = nxt
    ns.phase = "pick_suspect"
    ns.suggestion = []
    ns.accusation = []
    ns.accuse_from = None
    ns.cancel_used = False
    ns.responders = []


def _resolve_accusation(s, cards):
    ns = DeductionCards_State(old=s)
    who = s.suggester
    correct = tuple(cards) == tuple(_ENVELOPE)
    ns.history.append({"kind": "accusation", "by": who, "cards": list(cards),
                       "correct": correct, "passed": []})
    ns.accusation = []
    if correct:
        _game_over(ns, who, f"{role_name(who)} solved the case.")
        ns.jit_transition = (f"{role_name(who)} accuses {triple_text(cards)}... "
                             f"and opens the envelope: CORRECT!")
        return ns
    ns.eliminated.append(who)
    ns.eliminated.sort()
    ns.jit_transition = (f"{role_name(who)} accuses {triple_text(cards)}, peeks into the "
                         f"envelope... wrong! {role_name(who)} is eliminated.")
    alive = ns.alive()
    if len(alive) == 1:
        _game_over(ns, alive[0], f"Everybody else was eliminated.")
        ns.jit_transition += f" {role_name(alive[0])} is the last detective standing."
    elif not alive:
        _game_over(ns, None, "Every detective was eliminated.")
    else:
        _next_turn(ns)
    return ns


# -- suggestion picks --
def can_suggest(s, cat, k):
    return s.phase == PICK_PHASES[cat]


def do_suggest(s, cat, k):
    ns = DeductionCards_State(old=s)
    ns.suggestion.append(CATEGORY_CARDS[cat][k])
    if cat < 2:
        ns.phase = PICK_PHASES[cat + 1]
        return ns
    # the suggestion is complete: ask the others in turn order
    ns.suggestion_no += 1
    order = ns.active
    i = order.index(ns.suggester)
    ns.responders = [order[(i + j) % len(order)] for j in range(1, len(order))]
    ns.history.append({"kind": "suggestion", "k": ns.suggestion_no, "by": ns.suggester,
                       "cards": list(ns.suggestion), "passed": [], "shown_by": None,
                       "done": False})
    ns.jit_transition = f"{role_name(ns.suggester)} suggests {triple_text(ns.suggestion)}."
    _ask_next(ns)
    return ns


def _ask_next(ns):
    if ns.responders:
        ns.phase = "respond"
        ns.current_role_num = ns.responders[0]
    else:
        ns.history[-1]["done"] = True
        ns.phase = "decide"
        ns.current_role_num = ns.suggester


# -- responses --
def _matching(s):
    hand = _HANDS.get(s.current_role_num, [])
    return [c for c in s.suggestion if c in hand]


def can_show(s, card):
    return s.phase == "respond" and card in _matching(s)


def do_show(s, card):
    ns = DeductionCards_State(old=s)
    shower = s.current_role_num
    _SHOWN[s.suggestion_no] = (shower, s.suggester, card)    # private: globals only
    ev = ns.history[-1]
    ev["shown_by"] = shower
    ev["done"] = True
    ns.responders = []
    ns.phase = "decide"
    ns.current_role_num = s.suggester
    ns.jit_transition = (f"{role_name(shower)} shows a card to {role_name(s.suggester)} "
                         f"(only they see which).")
    return ns


def can_cannot_show(s):
    return s.phase == "respond" and not _matching(s)


def do_cannot_show(s):
    ns = DeductionCards_State(old=s)
    who = s.current_role_num
    ns.history[-1]["passed"].append(who)
    ns.responders = ns.responders[1:]
    _ask_next(ns)
    if ns.phase == "decide":
        ns.jit_transition = f"{role_name(who)} cannot show a card: nobody could disprove it!"
    else:
        ns.jit_transition = f"{role_name(who)} cannot show a card."
    return ns


# -- decisions --
def can_decide(s):
    return s.phase == "decide"


def do_accuse_current(s):
    return _resolve_accusation(s, s.suggestion)


def do_end_turn(s):
    ns = DeductionCards_State(old=s)
    _next_turn(ns)
    if ns.is_goal():
        ns.jit_transition = ns.goal_message()
    return ns


def can_accuse_now(s):
    return s.phase == "pick_suspect"


def do_start_accusation(s):
    ns = DeductionCards_State(old=s)
    ns.accuse_from = s.phase
    ns.accusation = []
    ns.phase = "accuse_suspect"
    ns.jit_transition = f"{role_name(s.suggester)} is about to make an accusation!"
    return ns


def can_accuse_pick(s, cat, k):
    return s.phase == ACCUSE_PHASES[cat]


def do_accuse_pick(s, cat, k):
    if cat == 2:
        return _resolve_accusation(s, list(s.accusation) + [CATEGORY_CARDS[cat][k]])
    ns = DeductionCards_State(old=s)
    ns.accusation.append(CATEGORY_CARDS[cat][k])
    ns.phase = ACCUSE_PHASES[cat + 1]
    return ns


def can_cancel(s):
    return s.phase in ACCUSE_PHASES and not s.cancel_used


def do_cancel(s):
    ns = DeductionCards_State(old=s)
    ns.phase = s.accuse_from or "pick_suspect"
    ns.accusation = []
    ns.accuse_from = None
    ns.cancel_used = True
    ns.jit_transition = f"{role_name(s.suggester)} thinks again and withdraws the accusation."
    return ns


# ---- operators -------------------------------------------------------------------
def _build_operators():
    ops = []
    for cat in range(3):
        for k, card in enumerate(CATEGORY_CARDS[cat]):
            ops.append(sz.SZ_Operator(
                name=f"Suggest {CATEGORIES[cat]} {card}",
                description=f"Name {card} in your suggestion.",
                precond_func=lambda s, cat=cat, k=k: can_suggest(s, cat, k),
                state_xition_func=lambda s, cat=cat, k=k: do_suggest(s, cat, k),
                role=None))
    for card in CARDS:
        ops.append(sz.SZ_Operator(
            name=f"Show card {card}",
            description="Show this card (from your hand, named in the suggestion) "
                        "secretly to the suggester.",
            precond_func=lambda s, card=card: can_show(s, card),
            state_xition_func=lambda s, card=card: do_show(s, card),
            role=None))
    ops.append(sz.SZ_Operator(
        name="Cannot show",
        description="Forced: you hold none of the three suggested cards.",
        precond_func=can_cannot_show, state_xition_func=do_cannot_show,
        role=None, bookkeeping=True))
    ops.append(sz.SZ_Operator(
        name="Accuse with current suggestion",
        description="Claim the envelope holds exactly your suggestion. If wrong, you are out.",
        precond_func=can_decide, state_xition_func=do_accuse_current, role=None))
    ops.append(sz.SZ_Operator(
        name="End turn",
        description="Finish your turn without accusing.",
        precond_func=can_decide, state_xition_func=do_end_turn, role=None))
    ops.append(sz.SZ_Operator(
        name="Accuse now (without suggesting)",
        description="Skip the suggestion and name suspect, weapon and room directly.",
        precond_func=can_accuse_now, state_xition_func=do_start_accusation, role=None))
    ops.append(sz.SZ_Operator(
        name="Make a different accusation",
        description="Accuse with a triple other than your suggestion.",
        precond_func=can_decide, state_xition_func=do_start_accusation, role=None))
    for cat in range(3):
        for k, card in enumerate(CATEGORY_CARDS[cat]):
            ops.append(sz.SZ_Operator(
                name=f"Accuse {CATEGORIES[cat]} {card}",
                description=f"Name {card} in your accusation.",
                precond_func=lambda s, cat=cat, k=k: can_accuse_pick(s, cat, k),
                state_xition_func=lambda s, cat=cat, k=k: do_accuse_pick(s, cat, k),
                role=None))
    ops.append(sz.SZ_Operator(
        name="Cancel accusation",
        description="Withdraw the accusation being made (once per turn).",
        precond_func=can_cancel, state_xition_func=do_cancel, role=None))
    assert len(ops) == N_OPERATORS
    return sz.SZ_Operator_Set(ops)


class DeductionCards_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = DeductionCards_Metadata()
        self.operators = _build_operators()
        self.roles_spec = DeductionCards_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(
            d={"initial_state": DeductionCards_State()})

    def initialize_problem(self, config={}):
        """Deal: envelope with ``random``, the rest round-robin to active roles."""
        global _ENVELOPE, _HANDS, _SHOWN
        config = config or {}
        active = sorted({r for r in (config.get("active_roles") or [])
                         if isinstance(r, int) and 0 <= r < N_DETECTIVES})
        if not active:
            active = [0, 1, 2]
        envelope = tuple(random.choice(cat) for cat in CATEGORY_CARDS)
        rest = [c for c in CARDS if c not in envelope]
        random.shuffle(rest)
        hands = {r: [] for r in active}
        for i, card in enumerate(rest):
            hands[active[i % len(active)]].append(card)
        _ENVELOPE = envelope
        _HANDS = {r: sorted(h, key=CARDS.index) for r, h in hands.items()}
        _SHOWN = {}
        state = DeductionCards_State(active=active)
        self.instance_data.data["initial_state"] = state
        return state


DEDUCTION_CARDS = DeductionCards_Formulation()
