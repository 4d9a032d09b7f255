"""What the API says about users."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.api.users.models import Role
from services.common.validation import RequestModel


class UserCreate(RequestModel):
    """A registration request."""

    email: EmailStr = Field(examples=["ada@example.org"])
    password: str = Field(min_length=10, max_length=256, examples=["correct horse battery"])


class UserOut(BaseModel):
    """A user as the API shows them."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
