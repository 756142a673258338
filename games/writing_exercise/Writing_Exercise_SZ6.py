"""Writing Exercise: draft, get a review, revise, finish.

The Writer edits a draft in an editor (a ``file_edit`` parameter).  Every
saved draft is kept in the state and written to ``draft.txt`` in the
play-through's session folder.  A draft of at least 50 words can be
submitted for a deterministic review (a checklist); the Writer may then
revise or finish.
"""
import os
import re

import soluzion6_02 as sz

MIN_WORDS = 50
MAX_DRAFTS = 10
DRAFT_FILE = "draft.txt"
INITIAL_TEXT = (
    "Title: ...\n\n"
    "Write three paragraphs about a place you know well: what it looks like, "
    "what happens there, and why it matters to you.\n"
)
STOPWORDS = frozenset("""
    a an and are as at be been but by for from had has have he her his i in
    into is it its me my of on or our she so than that the their them then
    there they this to was we were what when where which while who will with
    you your about also just very
""".split())

WRITER, OBSERVER = 0, 1


class Writing_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Writing Exercise"
        self.brief_desc = ("Write a three-paragraph draft, submit it for a checklist "
                           "review, revise, and finish.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["szportal built-in games"]
        self.creation_date = "2026-11-21"


def count_words(text):
    return len(text.split())


def paragraphs_of(text):
    """Body paragraphs: blocks separated by blank lines, without the title line."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    if blocks and blocks[0].lower().startswith("title:"):
        first = blocks[0].split("\n", 1)
        blocks = ([first[1].strip()] if len(first) > 1 and first[1].strip() else []) + blocks[1:]
    return blocks


def review_checklist(text):
    """A deterministic review: list of (passed, remark)."""
    checks = []
    first = text.strip().split("\n", 1)[0].strip() if text.strip() else ""
    title = first[6:].strip() if first.lower().startswith("title:") else ""
    checks.append((bool(title) and title != "...",
                   f"Title: {title!r}" if title and title != "..."
                   else "Give the draft a title on its first line (Title: ...)."))
    paras = paragraphs_of(text)
    checks.append((len(paras) == 3,
                   "Three paragraphs." if len(paras) == 3
                   else f"{len(paras)} paragraph(s); the task asks for three "
                        "(separate them with a blank line)."))
    words = count_words(text)
    checks.append((words >= 120,
                   f"{words} words." + ("" if words >= 120
                                        else " Aim for at least 120 to develop each paragraph.")))
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    longest = max((count_words(s) for s in sentences), default=0)
    checks.append((longest <= 35,
                   f"Longest sentence: {longest} words." + ("" if longest <= 35
                                                            else " Consider splitting it.")))
    counts = {}
    for w in re.findall(r"[a-z']+", text.lower()):
        if len(w) > 3 and w not in STOPWORDS:
            counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:1]
    if top and top[0][1] >= 5:
        checks.append((False, f"You use {top[0][0]!r} {top[0][1]} times; try a synonym."))
    else:
        checks.append((True, "No word is overused."))
    leftover = "Write three paragraphs about" in text or "..." in text
    checks.append((not leftover,
                   "The prompt text is still in the draft; replace it with your own words."
                   if leftover else "The prompt text has been replaced."))
    return checks


class Writing_State(sz.SZ_State):
    def __init__(self, old=None):
        if old is None:
            self.current_role_num = WRITER
            self.parallel = False
            self.phase = "drafting"
            self.draft = ""
            self.word_count = 0
            self.drafts_saved = 0
            self.reviews = 0
            self.reviewed_current = False
            self.review = []
            self.finished = False
        else:
            self.current_role_num = old.current_role_num
            self.parallel = False
            self.phase = old.phase
            self.draft = old.draft
            self.word_count = old.word_count
            self.drafts_saved = old.drafts_saved
            self.reviews = old.reviews
            self.reviewed_current = old.reviewed_current
            self.review = [tuple(c) for c in old.review]
            self.finished = old.finished

    def can_write(self):
        return self.phase == "drafting" and self.drafts_saved < MAX_DRAFTS

    def can_submit(self):
        return (self.phase == "drafting" and self.word_count >= MIN_WORDS
                and not self.reviewed_current)

    def can_revise(self):
        return self.phase == "review"

    def can_finish(self):
        return self.phase == "review" or (self.phase == "drafting"
                                          and self.drafts_saved >= MAX_DRAFTS)

    def is_goal(self):
        return self.finished

    def goal_message(self):
        passed = sum(1 for ok, _ in self.review if ok)
        if self.reviews:
            return (f"Finished: a {self.word_count}-word draft after {self.drafts_saved} "
                    f"save(s) and {self.reviews} review(s); last review passed "
                    f"{passed} of {len(self.review)} checks.")
        return (f"Finished without a review: {self.drafts_saved} drafts saved, "
                f"the last one {self.word_count} words.")

    def __str__(self):
        lines = [f"Phase: {self.phase}",
                 f"Word count: {self.word_count} (at least {MIN_WORDS} to submit)",
                 f"Drafts saved: {self.drafts_saved} of {MAX_DRAFTS}; reviews: {self.reviews}"]
        if self.draft:
            lines += ["", "Current draft:", self.draft.rstrip()]
        else:
            lines += ["", "No draft yet: use 'Write draft'."]
        if self.review:
            lines += ["", "Review:"]
            lines += [("  [ok] " if ok else "  [..] ") + remark for ok, remark in self.review]
        if self.finished:
            lines += ["", self.goal_message()]
        return "\n".join(lines)


def _session_folder():
    return getattr(WRITING_EXERCISE.instance_data, "session_folder", None)


def write_draft(state, args):
    text = args[0] if args else ""
    text = text if isinstance(text, str) else str(text)
    news = Writing_State(old=state)
    news.draft = text
    news.word_count = count_words(text)
    news.drafts_saved += 1
    news.reviewed_current = False
    folder = _session_folder()
    if folder:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, DRAFT_FILE), "w", encoding="utf-8") as f:
            f.write(text)
    need = MIN_WORDS - news.word_count
    news.jit_transition = (f"Draft {news.drafts_saved} saved: {news.word_count} words."
                           + (f" {need} more to be able to submit." if need > 0
                              else " Ready to submit for review."))
    return news


def submit(state):
    news = Writing_State(old=state)
    news.phase = "review"
    news.reviews += 1
    news.reviewed_current = True
    news.review = review_checklist(state.draft)
    passed = sum(1 for ok, _ in news.review if ok)
    news.jit_transition = (f"Review {news.reviews}: {passed} of {len(news.review)} "
                           "checks passed.")
    return news


def revise(state):
    news = Writing_State(old=state)
    news.phase = "drafting"
    news.jit_transition = "Back to drafting: edit and save a new draft."
    return news


def finish(state):
    news = Writing_State(old=state)
    news.phase = "done"
    news.finished = True
    news.current_role_num = WRITER
    news.jit_transition = news.goal_message()
    return news


class Writing_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Writing_Metadata()
        self.common_data = sz.SZ_Common_Data()
        self.roles_spec = sz.SZ_Roles_Spec(
            [sz.SZ_Role("Writer", "Writes, submits and revises the draft."),
             sz.SZ_Role("Observer", "Reads along.")],
            min_players_to_start=1, max_players=30)
        self.operators = sz.SZ_Operator_Set([
            sz.SZ_Operator(
                "Write draft", "Open the editor and save a new version of the draft.",
                lambda s: s.can_write(), write_draft,
                params=[{"name": "draft", "type": "file_edit",
                         "initial_text": INITIAL_TEXT, "file_path": DRAFT_FILE}],
                role=WRITER),
            sz.SZ_Operator(
                "Submit for review",
                f"Ask for a checklist review (needs a draft of at least {MIN_WORDS} words).",
                lambda s: s.can_submit(), submit, role=WRITER),
            sz.SZ_Operator("Revise", "Go back to drafting.",
                           lambda s: s.can_revise(), revise, role=WRITER),
            sz.SZ_Operator("Finish", "Hand in the reviewed draft and end the exercise.",
                           lambda s: s.can_finish(), finish, role=WRITER),
        ])
        self.instance_data = sz.SZ_Problem_Instance_Data({"initial_state": Writing_State()})
        self.vis_module = None

    def initialize_problem(self, config={}):
        config = config or {}
        # Kept out of the state: the folder differs between a play-through
        # and its replay, and the state must hash the same in both.
        self.instance_data.session_folder = config.get("session_folder")
        state = Writing_State()
        self.instance_data.data["initial_state"] = state
        return state


WRITING_EXERCISE = Writing_Formulation()
