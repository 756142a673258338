"""A push of regions sends a socket only the regions that changed for it, in frame
order, so pushes that overtake each other cannot leave a region stale for good."""
from webapp.live.table import RESET, Client


class Frames:
    """The socket's end of the wire: the frames written to it."""

    def __init__(self):
        self.frames = []

    def send(self, text):
        self.frames.append(text)


def client():
    wire = Frames()
    return Client(wire, participant_id=1, is_owner=False, rate_per_second=10), wire.frames


def test_only_changed_regions_go_out_and_always_sent_ones_always_do():
    c, frames = client()
    first = (("banner", "<b1>"), ("board", "<v1>"), (None, "<status>"))
    assert c.send(first) and frames == ["<b1><v1><status>"]
    assert c.send((("banner", "<b1>"), ("board", "<v2>"), (None, "<status>")))
    assert frames[-1] == "<v2><status>"
    assert c.send((("banner", "<b1>"), ("board", "<v2>")))
    assert len(frames) == 2                         # nothing changed: no frame at all
    assert c.send("<flash>") and frames[-1] == "<flash>"      # plain texts as they are


def test_a_snapshot_sends_every_region_again():
    c, frames = client()
    c.send((("banner", "<b1>"), ("board", "<v1>")))
    c.send(((RESET, ""), ("banner", "<b1>"), ("board", "<v1>")))
    assert frames[-1] == "<b1><v1>"


def test_an_older_push_sent_after_a_newer_one_is_undone_by_the_next():
    """Pushes rendered in one order and sent in the other: what the socket shows is
    what it was sent last, and the next push of the current text goes out again."""
    c, frames = client()
    c.send((("board", "<v2>"),))                    # the newer one overtook
    c.send((("board", "<v1>"),))                    # the older one arrives last
    c.send((("board", "<v2>"),))                    # the next push: the current board
    assert frames == ["<v2>", "<v1>", "<v2>"]
