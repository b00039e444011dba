"""Which words report speech, belief or intention: the cue lexicon attribution extraction starts from.

The verb lemmas were chosen from PolNeAR's TRAIN split (no text of it is kept here): every verb
form that annotators marked as a cue in at least 4 of the training articles' attributions and in
at least 40 % of its occurrences, plus a few rarer reporting verbs of the same kind. Verbs of
CONTENT_XCOMP take an infinitive as their content ("vowed to fight"); verbs of CONTENT_OBJECT take
a noun phrase ("announced his candidacy", "denied the report").
"""
from __future__ import annotations

SPEECH = frozenset("""
say tell add write report note announce suggest argue tweet describe continue explain insist claim
warn urge state acknowledge admit assert declare stress emphasize emphasise recall reiterate repeat
reply respond remark comment predict promise vow pledge confirm deny reveal indicate conclude
agree complain concede caution contend testify disclose allege boast brag joke quip muse observe
point mention cite accuse blame criticize criticise praise defend dismiss reject question ask
demand propose recommend threaten announce estimate acknowledge estimate post retweet blast
slam attack condemn denounce mock lament lambast welcome applaud decline refuse assure echo
hint imply signal counter rebut retort shout yell cry whisper explain write email text
""".split())
COGNITION = frozenset("""
believe think feel know fear hope expect worry doubt suspect consider find learn show seem appear
want wish plan intend decide estimate guess assume imagine understand recognize realize
""".split())
CUE_VERBS = SPEECH | COGNITION
# Cues of few tokens that are not verbs.
ACCORDING = "according"
CONTENT_XCOMP = frozenset("""
vow promise pledge threaten urge refuse decline want hope plan intend decide expect seem appear
agree ask demand propose seek offer
""".split())
CONTENT_OBJECT = frozenset("""
announce deny confirm reveal criticize criticise praise defend dismiss reject question blame
accuse endorse condemn denounce mock welcome applaud cite propose demand predict acknowledge
recommend describe call
""".split())
# Attributions of these only count when they carry a clause: "find" or "know" alone are not reports.
CLAUSE_ONLY = COGNITION - CONTENT_XCOMP
