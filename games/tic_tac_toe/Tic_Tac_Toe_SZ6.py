"""Tic-Tac-Toe: two roles taking turns on a 3x3 board, with observers.

SOLUZION6 problem formulation file.  Operators are one per cell (index
3*r + c) with ``role=None``: the precondition decides (the cell is empty and
the game is not over) and the host lets only the role whose turn it is
(``current_role_num``) apply them.
"""
import soluzion6_02 as sz

ROLE_X, ROLE_O, ROLE_OBSERVER = 0, 1, 2
MARKS = ("X", "O")
LINES = (
    ((0, 0), (0, 1), (0, 2)), ((1, 0), (1, 1), (1, 2)), ((2, 0), (2, 1), (2, 2)),
    ((0, 0), (1, 0), (2, 0)), ((0, 1), (1, 1), (2, 1)), ((0, 2), (1, 2), (2, 2)),
    ((0, 0), (1, 1), (2, 2)), ((0, 2), (1, 1), (2, 0)),
)


class TicTacToe_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Tic-Tac-Toe"
        self.brief_desc = ("Two players, X and O, take turns marking the cells of a "
                           "3x3 grid. Three marks in a row, column or diagonal win; "
                           "a full board with no line is a draw.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["Game portal team"]
        self.creation_date = "2025-01-15"


class TicTacToe_Roles_Spec(sz.SZ_Roles_Spec):
    def __init__(self):
        self.roles = [
            sz.SZ_Role("X", "Plays the X marks and moves first."),
            sz.SZ_Role("O", "Plays the O marks and moves second."),
            sz.SZ_Role("Observer", "Watches the game."),
        ]
        self.min_players_to_start = 2
        self.max_players = 30


class TicTacToe_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.board = [[" "] * 3 for _ in range(3)]
            self.current_role_num = ROLE_X
            self.whose_turn = ROLE_X
            self.winner = None          # role number of the winner, or None
            self.win_line = None        # tuple of the 3 winning cells
            self.move_count = 0
        else:
            self.board = [row[:] for row in old.board]
            self.current_role_num = old.current_role_num
            self.whose_turn = old.whose_turn
            self.winner = old.winner
            self.win_line = old.win_line
            self.move_count = old.move_count
        self.phase = "play"

    # --- rules -----------------------------------------------------------
    def can_place(self, r, c):
        return self.winner is None and not self.is_full() and self.board[r][c] == " "

    def place(self, r, c):
        news = TicTacToe_State(old=self)
        role = self.whose_turn
        mark = MARKS[role]
        news.board[r][c] = mark
        news.move_count += 1
        line = news.find_line(mark)
        if line is not None:
            news.winner = role
            news.win_line = line
            news.jit_transition = (f"{mark} plays ({r + 1},{c + 1}) and completes a line: "
                                   f"{mark} wins!")
        elif news.is_full():
            news.jit_transition = f"{mark} plays ({r + 1},{c + 1}). The board is full: it's a draw."
        else:
            other = 1 - role
            news.whose_turn = other
            news.current_role_num = other
            # Narrate only notable moves: blocking a line or making a threat.
            if self.find_threat(MARKS[other]) and not news.find_threat(MARKS[other]):
                news.jit_transition = f"{mark} plays ({r + 1},{c + 1}) and blocks {MARKS[other]}."
            elif news.find_threat(mark):
                news.jit_transition = f"{mark} plays ({r + 1},{c + 1}) and threatens to win."
        if news.is_goal():
            news.phase = "over"
        return news

    def find_line(self, mark):
        for line in LINES:
            if all(self.board[r][c] == mark for r, c in line):
                return line
        return None

    def find_threat(self, mark):
        """True if mark has two in a line whose third cell is empty."""
        for line in LINES:
            vals = [self.board[r][c] for r, c in line]
            if vals.count(mark) == 2 and vals.count(" ") == 1:
                return True
        return False

    def is_full(self):
        return all(cell != " " for row in self.board for cell in row)

    # --- outcome ---------------------------------------------------------
    def is_goal(self):
        return self.winner is not None or self.is_full()

    def is_win(self, role):
        return self.winner is not None and self.winner == role

    def is_draw(self):
        return self.winner is None and self.is_full()

    def goal_message(self):
        if self.winner is not None:
            return f"{MARKS[self.winner]} wins in {self.move_count} moves."
        if self.is_full():
            return "It's a draw: nobody completed a line."
        return "The game is not over."

    # --- views -----------------------------------------------------------
    def __str__(self):
        rows = []
        for r in range(3):
            rows.append(" " + " | ".join(self.board[r]))
        txt = "\n---+---+---\n".join(rows)
        if self.winner is not None:
            txt += f"\n{MARKS[self.winner]} has won."
        elif self.is_full():
            txt += "\nDraw."
        else:
            txt += f"\n{MARKS[self.whose_turn]} to move."
        return txt

    def __eq__(self, other):
        return isinstance(other, TicTacToe_State) and self.board == other.board \
            and self.whose_turn == other.whose_turn

    def __hash__(self):
        return hash((tuple(tuple(r) for r in self.board), self.whose_turn))


def _make_operator(r, c):
    return sz.SZ_Operator(
        # Rows and columns are numbered from 1 for people (the operator index is 3*r + c).
        name=lambda s, r=r, c=c: f"Place {MARKS[getattr(s, 'whose_turn', 0)]} "
                                 f"at ({r + 1},{c + 1})",
        description=f"Put the mark of the player to move in row {r + 1}, column {c + 1}.",
        precond_func=lambda s, r=r, c=c: s.can_place(r, c),
        state_xition_func=lambda s, r=r, c=c: s.place(r, c),
        role=None,
    )


class TicTacToe_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = TicTacToe_Metadata()
        self.operators = sz.SZ_Operator_Set([_make_operator(r, c)
                                             for r in range(3) for c in range(3)])
        self.roles_spec = TicTacToe_Roles_Spec()
        self.common_data = sz.SZ_Common_Data()
        self.instance_data = sz.SZ_Problem_Instance_Data(
            d={"initial_state": TicTacToe_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        initial = TicTacToe_State()
        self.instance_data.data["initial_state"] = initial
        return initial


TIC_TAC_TOE = TicTacToe_Formulation()
