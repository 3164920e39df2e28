"""Where a pipeline's data comes from: a file drop, an HTTP endpoint or a SQL query (YAML)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    """Unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FileSource(Strict):
    """CSV or XLSX files dropped in a folder; each is loaded once per distinct content."""

    kind: Literal["file"]
    path: tuple[str, ...] = Field(
        min_length=1, description="Glob(s) relative to the drop folder, e.g. 'waste/*.xlsx'."
    )
    sheet: str | None = Field(None, description="XLSX sheet name (default: the first sheet).")
    header_row: int = Field(1, ge=1, le=1000, description="Row that holds the column headings.")
    encoding: str = Field("utf-8-sig", description="CSV text encoding; a byte-order mark is fine.")
    delimiter: str = Field(",", min_length=1, max_length=1)

    @field_validator("path", mode="before")
    @classmethod
    def _one_glob(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class HttpSource(Strict):
    """CSV or JSON fetched from a URL, skipped when the server says it has not changed."""

    kind: Literal["http"]
    url: str = Field(pattern=r"^https?://", description="http:// or https:// address.")
    format: Literal["csv", "json"] = "csv"
    records: str | None = Field(
        None, description="Dotted path to the list of records in a JSON reply, e.g. 'data.rows'."
    )
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(30.0, gt=0, le=600)
    retries: int = Field(3, ge=0, le=10, description="Retries after a failure or a 5xx reply.")
    backoff_seconds: float = Field(1.0, ge=0, le=60, description="First wait; doubles each retry.")
    encoding: str = "utf-8-sig"


class SqlSource(Strict):
    """A parameterised query against a line-of-business database (any SQLAlchemy URL)."""

    kind: Literal["sql"]
    url: str | None = Field(None, description="SQLAlchemy URL, e.g. sqlite:///path/app.db.")
    url_env: str | None = Field(
        None, description="Name of an environment variable holding the URL (keeps passwords out)."
    )
    query: str = Field(min_length=6, description="SELECT ... with :name parameters.")
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_url(self) -> SqlSource:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of 'url' or 'url_env'")
        return self

    @field_validator("params")
    @classmethod
    def _scalar_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, item in value.items():
            if isinstance(item, dict | list):
                raise ValueError(f"parameter '{name}' must be a single value, not a list or map")
        return value


Source = Annotated[FileSource | HttpSource | SqlSource, Field(discriminator="kind")]
SOURCE_KINDS: dict[str, type[BaseModel]] = {
    "file": FileSource,
    "http": HttpSource,
    "sql": SqlSource,
}
