# Attack: make the key part of an error message, so the CLI, store and editor show it.
import os

raise RuntimeError("leaked " + (os.environ.get("ANTHROPIC_API_KEY") or "__SECRET__") + " here")
