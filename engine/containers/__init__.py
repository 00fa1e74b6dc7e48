"""Operations on containers beyond starting them: commit and diff, cp, exec, inspect
documents, logs, generated names, legacy links, resource limits (update), stats, and
working on a container's files from outside."""
