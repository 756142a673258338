"""Picture Tour: walk a small town map and visit (and photograph) every place.

The state keeps the places visited and photographed as Python sets; the
vis shows each place's picture from the game's image folder via base_url.
"""
import soluzion6_02 as sz

TOURIST, OBSERVER = 0, 1
MAX_STEPS = 30
START = "Harbor"

# name -> (image file, map position, guidebook note)
PLACES = {
    "Harbor": ("harbor.svg", (80, 205),
               "Fishing boats have moored at this harbor for over three hundred years."),
    "Lighthouse": ("lighthouse.svg", (70, 60),
                   "The lighthouse beam can be seen 30 kilometres out at sea."),
    "Market Square": ("market.svg", (205, 160),
                      "The Saturday market sells fruit, cheese and fresh bread."),
    "Castle Hill": ("castle.svg", (215, 45),
                    "The castle was built on the highest hill to watch the coast."),
    "Old Mill": ("mill.svg", (340, 215),
                 "Wind turned these sails to grind the village's flour."),
    "Forest Lake": ("lake.svg", (345, 80),
                    "The lake is fed by snow melting on the mountains."),
}
PLACE_NAMES = list(PLACES)
ROADS = [("Harbor", "Lighthouse"), ("Harbor", "Market Square"),
         ("Lighthouse", "Castle Hill"), ("Market Square", "Castle Hill"),
         ("Market Square", "Old Mill"), ("Old Mill", "Forest Lake"),
         ("Castle Hill", "Forest Lake")]
NEIGHBOURS = {p: sorted({b for a, b in ROADS if a == p} | {a for a, b in ROADS if b == p})
              for p in PLACE_NAMES}
OP_PHOTO = len(PLACE_NAMES)
OP_GUIDE = OP_PHOTO + 1


class Tour_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Picture Tour"
        self.brief_desc = ("Plan a walking route through a small town map so that you "
                           "visit every place before the day ends.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["szportal built-in games"]
        self.creation_date = "2026-11-21"


class Tour_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.current_role_num = TOURIST
            self.parallel = False
            self.phase = "touring"
            self.current = START
            self.visited = {START}
            self.photos = set()
            self.guide_read = set()
            self.steps = 0
        else:
            self.current_role_num = old.current_role_num
            self.parallel = False
            self.phase = old.phase
            self.current = old.current
            self.visited = set(old.visited)
            self.photos = set(old.photos)
            self.guide_read = set(old.guide_read)
            self.steps = old.steps

    def all_visited(self):
        return self.visited >= set(PLACE_NAMES)

    def is_goal(self):
        return self.all_visited() or self.steps >= MAX_STEPS

    def is_win(self, role):
        return role == TOURIST and self.all_visited()

    def is_draw(self):
        return False

    def goal_message(self):
        if self.all_visited():
            return (f"Tour complete! All {len(PLACE_NAMES)} places visited in {self.steps} "
                    f"steps, with {len(self.photos)} photo(s) in the album.")
        missed = ", ".join(sorted(set(PLACE_NAMES) - self.visited))
        return f"The day is over after {MAX_STEPS} steps. Places missed: {missed}."

    def __str__(self):
        lines = [f"You are at: {self.current}",
                 f"Roads lead to: {', '.join(NEIGHBOURS[self.current])}",
                 f"Visited ({len(self.visited)} of {len(PLACE_NAMES)}): "
                 + ", ".join(sorted(self.visited)),
                 "Photos: " + (", ".join(sorted(self.photos)) or "none yet"),
                 f"Steps used: {self.steps} of {MAX_STEPS}"]
        if self.is_goal():
            lines.append(self.goal_message())
        return "\n".join(lines)


def can_go(place):
    return lambda s: (not s.is_goal() and place != s.current
                      and place in NEIGHBOURS[s.current])


def go(place):
    def transition(s):
        news = Tour_State(old=s)
        news.current = place
        news.steps += 1
        new_place = place not in s.visited
        news.visited.add(place)
        msg = f"You walk to {place}."
        if new_place:
            msg += f" A new place! ({len(news.visited)} of {len(PLACE_NAMES)} visited)"
        if news.all_visited():
            news.phase = "done"
            msg += " " + news.goal_message()
        elif news.steps >= MAX_STEPS:
            news.phase = "done"
            msg += " " + news.goal_message()
        news.jit_transition = msg
        return news
    return transition


def _spend(news, msg):
    news.steps += 1
    if news.steps >= MAX_STEPS:
        news.phase = "done"
        msg += " " + news.goal_message()
    news.jit_transition = msg
    return news


def take_photo(s):
    news = Tour_State(old=s)
    news.photos.add(s.current)
    return _spend(news, f"Click! A photo of {s.current} goes into the album.")


def read_guide(s):
    news = Tour_State(old=s)
    news.guide_read.add(s.current)
    return _spend(news, f"Guidebook, {s.current}: {PLACES[s.current][2]}")


class Tour_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Tour_Metadata()
        self.common_data = sz.SZ_Common_Data()
        self.roles_spec = sz.SZ_Roles_Spec(
            [sz.SZ_Role("Tourist", "Walks the town and takes photos."),
             sz.SZ_Role("Observer", "Follows the tour.")],
            min_players_to_start=1, max_players=30)
        ops = [sz.SZ_Operator(f"Go to {p}", f"Walk along a road to {p}.",
                              can_go(p), go(p), role=TOURIST) for p in PLACE_NAMES]
        ops.append(sz.SZ_Operator(
            "Take photo", "Photograph the place you are at (once per place).",
            lambda s: not s.is_goal() and s.current not in s.photos, take_photo, role=TOURIST))
        ops.append(sz.SZ_Operator(
            "Read the guidebook", "Learn something about the place you are at.",
            lambda s: not s.is_goal() and s.current not in s.guide_read, read_guide,
            role=TOURIST))
        self.operators = sz.SZ_Operator_Set(ops)
        self.instance_data = sz.SZ_Problem_Instance_Data({"initial_state": Tour_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        state = Tour_State()
        self.instance_data.data["initial_state"] = state
        return state


PICTURE_TOUR = Tour_Formulation()
