"""Rift Mini: a phased two-player board game (SOLUZION6 problem formulation).

Every turn of the player to move passes through four phases, always in this
order, named in ``state.phase``:

1. ``ring_placement``       place_ring(r,c) | skip_placement | no_placement_action*
2. ``movement``             move_stack(r,c,dir) | no_movement_action*
3. ``line_processing``      collapse_line(i) | no_line_action*
4. ``territory_processing`` claim_region(i) | no_territory_action*

(* = ``bookkeeping=True``: a forced "nothing to do" step, applicable exactly
when the player to move has no other applicable operator in that phase.)

Operators are at FIXED indices, without parameters, all with ``role=None``;
their preconditions check the phase and that the role to move is Red or
Blue.  The host lets only ``current_role_num`` apply them.

Board cells: '.' empty, 'S0'/'S1' a ring (stack) of Red/Blue, 'M0'/'M1' a
marker, 'C0'/'C1' a collapsed cell owned by Red/Blue (the score).
"""
import soluzion6_02 as sz

N = 6
RED, BLUE, OBSERVER = 0, 1, 2
PLAYER_NAMES = ("Red", "Blue")
RINGS_PER_PLAYER = 5
WIN_SCORE = 8
MAX_TURNS = 60          # hard cap on turns (both players together)
MAX_REGIONS = 8         # claim_region(i) for i < MAX_REGIONS
MAX_REGION_SIZE = 6

PHASES = ("ring_placement", "movement", "line_processing", "territory_processing")
GAME_OVER = "game_over"

# 8 directions, clockwise from north: (name, dr, dc)
DIRECTIONS = (("N", -1, 0), ("NE", -1, 1), ("E", 0, 1), ("SE", 1, 1),
              ("S", 1, 0), ("SW", 1, -1), ("W", 0, -1), ("NW", -1, -1))


def _enumerate_lines():
    """All straight segments of exactly 3 cells (rows, columns, diagonals)."""
    lines = []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        for r in range(N):
            for c in range(N):
                cells = tuple((r + k * dr, c + k * dc) for k in range(3))
                if all(0 <= rr < N and 0 <= cc < N for rr, cc in cells):
                    lines.append(cells)
    return tuple(lines)


LINES = _enumerate_lines()      # 80 segments

# ---- fixed operator indices ------------------------------------------------
OP_PLACE = 0                                    # + 6*r + c       (36)
OP_SKIP = OP_PLACE + N * N                      # 36
OP_NO_PLACEMENT = OP_SKIP + 1                   # 37
OP_MOVE = OP_NO_PLACEMENT + 1                   # 38 + 8*(6*r+c) + d   (288)
OP_NO_MOVEMENT = OP_MOVE + N * N * 8            # 326
OP_COLLAPSE = OP_NO_MOVEMENT + 1                # 327 + i         (80)
OP_NO_LINE = OP_COLLAPSE + len(LINES)           # 407
OP_CLAIM = OP_NO_LINE + 1                       # 408 + i         (8)
OP_NO_TERRITORY = OP_CLAIM + MAX_REGIONS        # 416
N_OPERATORS = OP_NO_TERRITORY + 1               # 417

BOOKKEEPING_INDEXES = (OP_NO_PLACEMENT, OP_NO_MOVEMENT, OP_NO_LINE, OP_NO_TERRITORY)


def cell_label(r, c):
    """1-based (row,col) label used in names and the vis."""
    return f"({r + 1},{c + 1})"


def line_label(i):
    a, _, c = LINES[i]
    return f"{cell_label(*a)}-{cell_label(*c)}"


# ---- rules helpers (also used by the vis module) --------------------------
def empty_cells(s):
    return [(r, c) for r in range(N) for c in range(N) if s.board[r][c] == "."]


def legal_moves(s, p=None):
    """Sorted list of (r, c, d) moves of player p's stacks onto empty cells."""
    if p is None:
        p = s.current_role_num
    out = []
    stack = f"S{p}"
    for r in range(N):
        for c in range(N):
            if s.board[r][c] != stack:
                continue
            for d, (_, dr, dc) in enumerate(DIRECTIONS):
                rr, cc = r + dr, c + dc
                if 0 <= rr < N and 0 <= cc < N and s.board[rr][cc] == ".":
                    out.append((r, c, d))
    return out


def own_lines(s, p=None):
    """Indexes into LINES of segments made of three markers of player p."""
    if p is None:
        p = s.current_role_num
    m = f"M{p}"
    return [i for i, cells in enumerate(LINES)
            if all(s.board[r][c] == m for r, c in cells)]


def claimable_regions(s, p=None):
    """Regions (sorted lists of cells) player p may claim, in a fixed order.

    A region is a 4-connected component of empty cells with at most
    MAX_REGION_SIZE cells whose every neighbour on the board is a cell
    collapsed and owned by p.  Sorted by their first cell (row-major).
    """
    if p is None:
        p = s.current_role_num
    own = f"C{p}"
    seen = set()
    regions = []
    for r in range(N):
        for c in range(N):
            if s.board[r][c] != "." or (r, c) in seen:
                continue
            comp, frontier, ok = [], [(r, c)], True
            seen.add((r, c))
            while frontier:
                cr, cc = frontier.pop()
                comp.append((cr, cc))
                for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    nr, nc = cr + dr, cc + dc
                    if not (0 <= nr < N and 0 <= nc < N):
                        continue
                    v = s.board[nr][nc]
                    if v == ".":
                        if (nr, nc) not in seen:
                            seen.add((nr, nc))
                            frontier.append((nr, nc))
                    elif v != own:
                        ok = False
            if ok and len(comp) <= MAX_REGION_SIZE:
                regions.append(sorted(comp))
    regions.sort()
    return regions


def score(s, p):
    own = f"C{p}"
    return sum(1 for row in s.board for v in row if v == own)


# ---- metadata, roles -------------------------------------------------------
class RiftMini_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Rift Mini"
        self.brief_desc = ("Red and Blue place rings on a 6x6 board, slide them leaving "
                           "markers behind, collapse lines of three markers and claim "
                           "walled-in regions. Each turn runs through four phases; "
                           "8 collapsed cells win.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-20"


class RiftMini_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [
            sz.SZ_Role("Red", "Moves first. Collapse cells in red."),
            sz.SZ_Role("Blue", "Moves second. Collapse cells in blue."),
            sz.SZ_Role("Observer", "Watches the game."),
        ]
        self.min_players_to_start = 2
        self.max_players = 30


# ---- state -----------------------------------------------------------------
class RiftMini_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.board = [["."] * N for _ in range(N)]
            self.hand = [RINGS_PER_PLAYER, RINGS_PER_PLAYER]
            self.phase = PHASES[0]
            self.current_role_num = RED
            self.turn = 1                 # number of the turn being played
            self.turn_quiet = True        # only bookkeeping so far this turn
            self.quiet_turns = 0          # consecutive whole bookkeeping-only turns
            self.end_reason = None
            self.last_move = ""           # short public description
            self.highlight = []           # cells touched by the last move
        else:
            self.board = [row[:] for row in old.board]
            self.hand = list(old.hand)
            self.phase = old.phase
            self.current_role_num = old.current_role_num
            self.turn = old.turn
            self.turn_quiet = old.turn_quiet
            self.quiet_turns = old.quiet_turns
            self.end_reason = old.end_reason
            self.last_move = old.last_move
            self.highlight = list(old.highlight)

    # -- outcome --
    def scores(self):
        return [score(self, RED), score(self, BLUE)]

    def is_goal(self):
        return self.phase == GAME_OVER

    def is_win(self, role):
        if not self.is_goal() or role not in (RED, BLUE):
            return False
        sc = self.scores()
        return sc[role] > sc[1 - role]

    def is_draw(self):
        if not self.is_goal():
            return False
        sc = self.scores()
        return sc[0] == sc[1]

    def goal_message(self):
        sc = self.scores()
        why = self.end_reason or "The game is over."
        if sc[0] == sc[1]:
            return f"{why} Scores {sc[0]}-{sc[1]}: it's a draw."
        w = 0 if sc[0] > sc[1] else 1
        return f"{why} {PLAYER_NAMES[w]} wins {sc[w]} to {sc[1 - w]}."

    # -- views --
    def __str__(self):
        sym = {".": ".", "S0": "R", "S1": "B", "M0": "r", "M1": "b", "C0": "#", "C1": "%"}
        lines = ["    " + " ".join(str(c + 1) for c in range(N))]
        for r in range(N):
            lines.append(f" {r + 1}  " + " ".join(sym[v] for v in self.board[r]))
        sc = self.scores()
        lines.append("R/B rings, r/b markers, #/% collapsed (Red/Blue).")
        lines.append(f"Scores: Red {sc[0]}, Blue {sc[1]}.  Rings in hand: "
                     f"Red {self.hand[0]}, Blue {self.hand[1]}.")
        if self.is_goal():
            lines.append(self.goal_message())
        else:
            lines.append(f"Turn {self.turn}: {PLAYER_NAMES[self.current_role_num]} "
                         f"to move, phase {self.phase}.")
        return "\n".join(lines)

    def text_view_for_role(self, role):
        return str(self)   # perfect information

    def __eq__(self, other):
        return (isinstance(other, RiftMini_State) and self.board == other.board
                and self.hand == other.hand and self.phase == other.phase
                and self.current_role_num == other.current_role_num
                and self.turn == other.turn and self.quiet_turns == other.quiet_turns
                and self.turn_quiet == other.turn_quiet)

    def __hash__(self):
        return hash((tuple(map(tuple, self.board)), tuple(self.hand), self.phase,
                     self.current_role_num, self.turn))


# ---- phase flow ------------------------------------------------------------
def _playing(s, phase):
    return s.phase == phase and s.current_role_num in (RED, BLUE)


def _check_score_win(ns):
    sc = ns.scores()
    if max(sc) >= WIN_SCORE:
        w = 0 if sc[0] >= WIN_SCORE else 1
        ns.phase = GAME_OVER
        ns.end_reason = f"{PLAYER_NAMES[w]} owns {sc[w]} collapsed cells."
        return True
    return False


def _end_turn(ns):
    """After territory_processing: bookkeeping of quiet turns, then next player."""
    ns.quiet_turns = ns.quiet_turns + 1 if ns.turn_quiet else 0
    if ns.quiet_turns >= 2:
        ns.phase = GAME_OVER
        ns.end_reason = "Neither player could do anything for a whole turn."
        return
    if ns.turn >= MAX_TURNS:
        ns.phase = GAME_OVER
        ns.end_reason = f"The {MAX_TURNS}-turn limit is reached."
        return
    ns.turn += 1
    ns.turn_quiet = True
    ns.current_role_num = 1 - ns.current_role_num
    ns.phase = PHASES[0]


def _new(s, decision):
    ns = RiftMini_State(old=s)
    if decision:
        ns.turn_quiet = False
    return ns


# -- ring_placement --
def can_place(s, r, c):
    return (_playing(s, "ring_placement") and s.hand[s.current_role_num] > 0
            and s.board[r][c] == ".")


def do_place(s, r, c):
    p = s.current_role_num
    ns = _new(s, True)
    ns.board[r][c] = f"S{p}"
    ns.hand[p] -= 1
    ns.phase = "movement"
    ns.highlight = [(r, c)]
    ns.last_move = f"{PLAYER_NAMES[p]} placed a ring at {cell_label(r, c)}."
    if ns.hand[p] == 0:
        ns.jit_transition = f"{PLAYER_NAMES[p]} places the last ring from hand at {cell_label(r, c)}."
    return ns


def can_skip(s):
    return (_playing(s, "ring_placement") and s.hand[s.current_role_num] > 0
            and bool(empty_cells(s)) and bool(legal_moves(s)))


def do_skip(s):
    ns = _new(s, True)
    ns.phase = "movement"
    ns.highlight = []
    ns.last_move = f"{PLAYER_NAMES[s.current_role_num]} kept the rings in hand."
    return ns


def can_no_placement(s):
    return (_playing(s, "ring_placement")
            and (s.hand[s.current_role_num] == 0 or not empty_cells(s)))


def do_no_placement(s):
    ns = _new(s, False)
    ns.phase = "movement"
    return ns


# -- movement --
def can_move(s, r, c, d):
    if not _playing(s, "movement") or s.board[r][c] != f"S{s.current_role_num}":
        return False
    _, dr, dc = DIRECTIONS[d]
    rr, cc = r + dr, c + dc
    return 0 <= rr < N and 0 <= cc < N and s.board[rr][cc] == "."


def do_move(s, r, c, d):
    p = s.current_role_num
    name, dr, dc = DIRECTIONS[d]
    rr, cc = r + dr, c + dc
    ns = _new(s, True)
    ns.board[rr][cc] = f"S{p}"
    ns.board[r][c] = f"M{p}"
    ns.phase = "line_processing"
    ns.highlight = [(r, c), (rr, cc)]
    ns.last_move = f"{PLAYER_NAMES[p]} moved {cell_label(r, c)} {name} to {cell_label(rr, cc)}."
    if own_lines(ns, p):
        ns.jit_transition = f"{PLAYER_NAMES[p]} completes a line of three markers!"
    return ns


def can_no_movement(s):
    return _playing(s, "movement") and not legal_moves(s)


def do_no_movement(s):
    ns = _new(s, False)
    ns.phase = "line_processing"
    return ns


# -- line_processing --
def can_collapse(s, i):
    if not _playing(s, "line_processing"):
        return False
    m = f"M{s.current_role_num}"
    return all(s.board[r][c] == m for r, c in LINES[i])


def do_collapse(s, i):
    p = s.current_role_num
    ns = _new(s, True)
    for r, c in LINES[i]:
        ns.board[r][c] = f"C{p}"
    ns.highlight = list(LINES[i])
    ns.last_move = f"{PLAYER_NAMES[p]} collapsed line {line_label(i)}."
    ns.jit_transition = (f"{PLAYER_NAMES[p]} collapses the line {line_label(i)} "
                         f"and now owns {score(ns, p)} cells.")
    if _check_score_win(ns):
        return ns
    ns.phase = "line_processing" if own_lines(ns, p) else "territory_processing"
    return ns


def can_no_line(s):
    return _playing(s, "line_processing") and not own_lines(s)


def do_no_line(s):
    ns = _new(s, False)
    ns.phase = "territory_processing"
    return ns


# -- territory_processing --
def can_claim(s, i):
    return _playing(s, "territory_processing") and i < len(claimable_regions(s))


def do_claim(s, i):
    p = s.current_role_num
    region = claimable_regions(s)[i]
    ns = _new(s, True)
    for r, c in region:
        ns.board[r][c] = f"C{p}"
    ns.highlight = list(region)
    ns.last_move = f"{PLAYER_NAMES[p]} claimed {len(region)} walled-in cell(s)."
    ns.jit_transition = (f"{PLAYER_NAMES[p]} claims a walled-in region of {len(region)} "
                         f"cell(s) and now owns {score(ns, p)} cells.")
    if _check_score_win(ns):
        return ns
    if not claimable_regions(ns, p):
        _end_turn(ns)
    return ns


def can_no_territory(s):
    return _playing(s, "territory_processing") and not claimable_regions(s)


def do_no_territory(s):
    ns = _new(s, False)
    _end_turn(ns)
    if ns.is_goal():
        ns.jit_transition = ns.goal_message()
    return ns


def claim_name(s, i):
    try:
        regions = claimable_regions(s)
        if i < len(regions):
            cells = ", ".join(cell_label(r, c) for r, c in regions[i])
            return f"Claim region {i + 1}: {cells}"
    except Exception:
        pass
    return f"Claim region {i + 1}"


# ---- operators (fixed indices) ---------------------------------------------
def _build_operators():
    ops = []
    for r in range(N):
        for c in range(N):
            ops.append(sz.SZ_Operator(
                name=f"Place ring at {cell_label(r, c)}",
                description="Put a ring from your hand on this empty cell.",
                precond_func=lambda s, r=r, c=c: can_place(s, r, c),
                state_xition_func=lambda s, r=r, c=c: do_place(s, r, c),
                role=None))
    ops.append(sz.SZ_Operator(
        name="Skip placement",
        description="Keep your rings in hand this turn and go straight to movement.",
        precond_func=can_skip, state_xition_func=do_skip, role=None))
    ops.append(sz.SZ_Operator(
        name="No placement possible",
        description="Bookkeeping: no ring in hand or no empty cell.",
        precond_func=can_no_placement, state_xition_func=do_no_placement,
        role=None, bookkeeping=True))
    for r in range(N):
        for c in range(N):
            for d, (dname, _, _) in enumerate(DIRECTIONS):
                ops.append(sz.SZ_Operator(
                    name=f"Move stack {cell_label(r, c)} {dname}",
                    description="Move your ring one cell onto an empty cell; "
                                "your marker stays behind.",
                    precond_func=lambda s, r=r, c=c, d=d: can_move(s, r, c, d),
                    state_xition_func=lambda s, r=r, c=c, d=d: do_move(s, r, c, d),
                    role=None))
    ops.append(sz.SZ_Operator(
        name="No movement possible",
        description="Bookkeeping: none of your rings can move.",
        precond_func=can_no_movement, state_xition_func=do_no_movement,
        role=None, bookkeeping=True))
    for i in range(len(LINES)):
        ops.append(sz.SZ_Operator(
            name=f"Collapse line {line_label(i)}",
            description="Three of your markers in a row become your collapsed cells.",
            precond_func=lambda s, i=i: can_collapse(s, i),
            state_xition_func=lambda s, i=i: do_collapse(s, i),
            role=None))
    ops.append(sz.SZ_Operator(
        name="No line to collapse",
        description="Bookkeeping: you have no three markers in a row.",
        precond_func=can_no_line, state_xition_func=do_no_line,
        role=None, bookkeeping=True))
    for i in range(MAX_REGIONS):
        ops.append(sz.SZ_Operator(
            name=lambda s, i=i: claim_name(s, i),
            description="Claim a region of empty cells walled in by your collapsed cells.",
            precond_func=lambda s, i=i: can_claim(s, i),
            state_xition_func=lambda s, i=i: do_claim(s, i),
            role=None))
    ops.append(sz.SZ_Operator(
        name="No region to claim",
        description="Bookkeeping: no region is walled in by your collapsed cells.",
        precond_func=can_no_territory, state_xition_func=do_no_territory,
        role=None, bookkeeping=True))
    assert len(ops) == N_OPERATORS
    return sz.SZ_Operator_Set(ops)


class RiftMini_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = RiftMini_Metadata()
        self.operators = _build_operators()
        self.roles_spec = RiftMini_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(d={"initial_state": RiftMini_State()})

    def initialize_problem(self, config={}):
        state = RiftMini_State()
        self.instance_data.data["initial_state"] = state
        return state


RIFT_MINI = RiftMini_Formulation()
