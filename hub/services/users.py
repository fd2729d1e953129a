"""Board users and operators who sign in to the web pages."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.secrets import hash_secret
from hub.errors import Conflict, FieldProblem, InvalidInput
from hub.models import User, utcnow
from hub.services import audit

ROLES = ("board", "admin")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12


def create_user(session: Session, *, email: str, role: str, password: str, actor: str | None) -> User:
    problems = []
    if not EMAIL_RE.match(email):
        problems.append(FieldProblem("email", "not an e-mail address"))
    if role not in ROLES:
        problems.append(FieldProblem("role", f"must be one of {', '.join(ROLES)}"))
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"must have at least {MIN_PASSWORD} characters"))
    if problems:
        raise InvalidInput(problems)
    if session.scalar(select(User).where(User.email == email.lower())) is not None:
        raise Conflict(f"a user {email} already exists")
    user = User(email=email.lower(), role=role, password_hash=hash_secret(password), created_at=utcnow())
    session.add(user)
    audit.record(session, actor=actor, action="user.create", outcome="ok", email=email.lower(), role=role)
    return user
