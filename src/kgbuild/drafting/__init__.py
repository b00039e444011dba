"""Drafting from real news, one step per module; `kgbuild.draft` composes them into an annotation file.

source (text or HTML page) -> nlp (spaCy parse) -> attribution (+ quotes, cues, features, cuemodel) ->
entities (registry + proposals, speakers) -> events (+ dates); brat writes and reads PolNeAR's
standoff layout, scoring and evaluate measure drafts against brat gold.
"""
