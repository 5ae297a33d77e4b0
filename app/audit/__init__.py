"""Audit log of every privileged action: who did what to which object, when, from which IP."""
