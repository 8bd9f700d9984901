"""Profile → the environment Claude Code and OpenAI-style clients read, and shell renderers."""
