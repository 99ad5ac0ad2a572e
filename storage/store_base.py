"""What every SQL store shares: inserting under a unique key, and atomic claims."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ceremonies.core.ports import Conflict

Row = TypeVar("Row")


class SqlStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, row: Row) -> Row:
        """Adds a row at once; a taken unique key raises Conflict and leaves the rest intact."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError as error:
            raise Conflict(str(error.orig)) from error
        return row

    def compare_and_set(
        self, row: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool:
        """Changes `row` only if its stored columns still hold `expected` (an atomic claim)."""
        model = type(row)
        conditions = [model.id == row.id]
        for name, value in expected.items():
            column = getattr(model, name)
            conditions.append(column.is_(None) if value is None else column == value)
        result = self.session.execute(
            update(model)
            .where(*conditions)
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        for name, value in changes.items():
            setattr(row, name, value)
        return True
