"""listening: from what users of public services say to coded, traceable journey findings."""

__version__ = "0.1.0"
