"""Bots that play any role: random, first-applicable, and a small search.

Bots choose only among the operators the role may apply now and fill
parameters from their specs, so their moves go through the same checks as a
person's.  The search bot looks ahead with depth-limited minimax for
two-player games and breadth-first search for one-role puzzles; it works on
copies of states through the game's own transitions and never touches the
play-through.
"""
import collections
import random as _random

from . import params as params_mod
from . import rng as rng_mod
from .playthrough import Actor, MoveError, is_goal, state_parallel, state_to_move

STRATEGIES = ("random", "first", "search")
_WORDS = ("yes", "maybe", "hello", "blue", "seven", "tree", "why not", "tell me more")


def fill_args(specs, rnd):
    """Arguments that satisfy ``specs``, drawn with the generator ``rnd``."""
    args = []
    for spec in specs:
        kind = spec.get("type", "str")
        low, high = spec.get("min"), spec.get("max")
        if kind == "int":
            low = int(low) if low is not None else 0
            high = int(high) if high is not None else low + 10
            args.append(rnd.randint(low, high))
        elif kind == "float":
            low = float(low) if low is not None else 0.0
            high = float(high) if high is not None else low + 1.0
            args.append(round(rnd.uniform(low, high), 3))
        elif kind == "file_edit":
            base = str(spec.get("initial_text") or "")
            words = " ".join(rnd.choice(_WORDS) for _ in range(80))
            args.append((base + "\n\n" + words).strip())
        else:
            args.append(rnd.choice(_WORDS))
    return args


def _specs(pt, index, state):
    try:
        return params_mod.resolve_specs(pt.operators[index], state)
    except params_mod.ParamError:
        return None


def choose_move(pt, role, strategy="random", rnd=None, depth=3):
    """A legal (op_index, args) for ``role`` now, or None when it has none."""
    rnd = rnd or _random.Random(pt.version * 7919 + (role or 0))
    ops = pt.operators
    candidates = [i for i in pt.applicable(role)
                  if not getattr(ops[i], "bookkeeping", False)]   # the host makes those
    candidates = [i for i in candidates if _specs(pt, i, pt.state) is not None]
    if not candidates:
        return None
    if strategy == "first":
        index = candidates[0]
    elif strategy == "search":
        index = Search(pt, role, depth).best(candidates, rnd)
    else:
        index = rnd.choice(candidates)
    return index, fill_args(_specs(pt, index, pt.state), rnd)


class Search:
    """Depth-limited minimax (two roles) or BFS to a goal (one role)."""

    def __init__(self, pt, role, depth=3, node_limit=4000):
        self.pt, self.role, self.depth, self.node_limit = pt, role, depth, node_limit
        self.nodes = 0

    def successors(self, state, role):
        pt = self.pt
        for i in pt.applicable(role, state):
            specs = _specs(pt, i, state)
            if specs:      # parameterised moves are not searched
                continue
            try:
                with rng_mod.using(rng_mod.new_generator(self.nodes), pt.game):
                    op = pt.operators[i]
                    new = op.state_xition_func(state)
            except Exception:
                continue
            if new is not None:
                self.nodes += 1
                yield i, new

    def best(self, candidates, rnd):
        if len(self.pt.active_roles) <= 1:
            path = self.bfs()
            if path and path[0] in candidates:
                return path[0]
            return rnd.choice(candidates)
        scored = []
        for i, new in self.successors(self.pt.state, self.role):
            if i in candidates:
                scored.append((self.minimax(new, self.depth - 1), i))
        if not scored:
            return rnd.choice(candidates)
        top = max(s for s, _ in scored)
        return rnd.choice([i for s, i in scored if s == top])

    def score(self, state):
        is_win = getattr(state, "is_win", None)
        if callable(is_win):
            try:
                if is_win(self.role):
                    return 1
                if any(is_win(r) for r in self.pt.active_roles if r != self.role):
                    return -1
            except Exception:
                pass
        return 0

    def minimax(self, state, depth):
        if is_goal(state) or depth <= 0 or self.nodes > self.node_limit \
                or state_parallel(state):
            return self.score(state)
        mover = state_to_move(state)
        values = [self.minimax(new, depth - 1) for _, new in self.successors(state, mover)]
        if not values:
            return self.score(state)
        return max(values) if mover == self.role else min(values)

    def bfs(self):
        """First operator of a shortest path to a goal, by BFS over state hashes."""
        pt = self.pt
        start = pt.state
        seen = {pt.hashes[-1]}
        queue = collections.deque([(start, [])])
        while queue and self.nodes < self.node_limit * 5:
            state, path = queue.popleft()
            for i, new in self.successors(state, state_to_move(state)):
                if is_goal(new):
                    return path + [i]
                h = pt.state_hash_of(new)
                if h not in seen:
                    seen.add(h)
                    queue.append((new, path + [i]))
        return None


def play_out(pt, strategies=None, max_moves=5000, rnd=None):
    """Let bots play every active role until the play-through ends."""
    rnd = rnd or _random.Random(pt.seed)
    strategies = strategies or {}
    # A role's seat names the participant whose bot plays it (else "bot-<role>").
    seated = {s.get("role"): s.get("participant") or s.get("name")
              for s in getattr(pt, "seats", ()) if s.get("kind") == "bot"}
    moves = 0
    while not pt.ended and moves < max_moves:
        movers = [r for r in pt.roles_to_move() if pt.applicable(r)]
        if not movers:
            break
        role = movers[0] if not state_parallel(pt.state) else rnd.choice(movers)
        choice = choose_move(pt, role, strategies.get(role, "random"), rnd)
        if choice is None:
            break
        try:
            pt.apply(Actor(role, f"bot-{role}", "bot", seated.get(role, f"bot-{role}")),
                     choice[0], choice[1])
        except MoveError as exc:
            if exc.code == "game_error":
                pt.end("abandoned")
            raise
        moves += 1
    if not pt.ended:
        pt.end("abandoned")
    return moves
