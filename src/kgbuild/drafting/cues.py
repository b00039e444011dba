"""Which words report speech, belief or intention: the cue lexicon attribution extraction starts from.

The verb lemmas were chosen from PolNeAR's TRAIN split (no text of it is kept here): every verb
form that annotators marked as a cue in at least 4 of the training articles' attributions and in
at least 40 % of its occurrences, plus a few rarer reporting verbs of the same kind. Whether a
lemma is in the lexicon is a feature of the cue model (`features`), which lets it judge verbs its
training never saw; SPEECH verbs are the ones a direct quote may take as its cue.
"""
from __future__ import annotations

SPEECH = frozenset(["say", "tell", "add", "write", "report", "note", "announce", "suggest", "argue", "tweet", "describe", "continue", "explain", "insist", "claim", "warn", "urge", "state", "acknowledge", "admit", "assert", "declare", "stress", "emphasize", "emphasise", "recall", "reiterate", "repeat", "reply", "respond", "remark", "comment", "predict", "promise", "vow", "pledge", "confirm", "deny", "reveal", "indicate", "conclude", "agree", "complain", "concede", "caution", "contend", "testify", "disclose", "allege", "boast", "brag", "joke", "quip", "muse", "observe", "point", "mention", "cite", "accuse", "blame", "criticize", "criticise", "praise", "defend", "dismiss", "reject", "question", "ask", "demand", "propose", "recommend", "threaten", "announce", "estimate", "acknowledge", "estimate", "post", "retweet", "blast", "slam", "attack", "condemn", "denounce", "mock", "lament", "lambast", "welcome", "applaud", "decline", "refuse", "assure", "echo", "hint", "imply", "signal", "counter", "rebut", "retort", "shout", "yell", "cry", "whisper", "explain", "write", "email", "text"])
COGNITION = frozenset(["believe", "think", "feel", "know", "fear", "hope", "expect", "worry", "doubt", "suspect", "consider", "find", "learn", "show", "seem", "appear", "want", "wish", "plan", "intend", "decide", "estimate", "guess", "assume", "imagine", "understand", "recognize", "realize"])
CUE_VERBS = SPEECH | COGNITION
