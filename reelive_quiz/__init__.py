"""reelive-quiz: learn films from Reelive pages with spaced repetition.

The data travels one way: page text → Deck (page.py, deck.py) → Questions
(generate.py) → the catalogue in the progress file (catalogue.py, store.py) →
the day's queue (schedule.py) → a quiz session (session.py, quiz.py) or an
Anki export (anki.py, apkg.py). The answers logged feed back: optimize.py fits
personal FSRS parameters the schedule then uses. The README's module map names
the one file that owns each job.
"""

__version__ = "0.1.0"
