"""reelive-quiz: learn films from Reelive pages with spaced repetition.

The data travels one way: page text → Deck → Questions → store / schedule →
quiz session or Anki export.
"""

__version__ = "0.1.0"
