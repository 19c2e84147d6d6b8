from ninja import Schema


class ErrorOut(Schema):
    """The error envelope every API error uses."""

    code: str
    message: str
    fields: dict[str, str]
