"""Settings dataclasses that read and check themselves (run configs)."""

import dataclasses
import json


class Settings:
    """Mixin for a dataclass of run settings.

    `from_dict` refuses unknown keys and calls the subclass's
    `validate(source)`; `from_file` reads a JSON object; `to_dict` is what
    a run writes to `RUN/config.json`. Every error is a `ValueError` that
    names the source (a file or "options") and the setting.
    """

    @classmethod
    def from_dict(cls, values, source="config"):
        """Builds the settings, refusing unknown keys (names the source)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"{source}: unknown setting(s) {unknown}; known: "
                f"{sorted(known)}"
            )
        settings = cls(**values)
        settings.validate(source)
        return settings

    @classmethod
    def read_file(cls, path):
        """The JSON object of settings in `path` (a dict, not checked)."""
        try:
            with open(path, encoding="utf-8") as handle:
                values = json.load(handle)
        except FileNotFoundError as error:
            raise ValueError(f"config file not found: {path}") from error
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}: line {error.lineno}: not valid JSON ({error.msg})"
            ) from error
        if not isinstance(values, dict):
            raise ValueError(f"{path}: expected a JSON object of settings")
        return values

    @classmethod
    def from_file(cls, path):
        """Reads and checks a JSON settings file."""
        return cls.from_dict(cls.read_file(path), source=str(path))

    def validate(self, source="config"):
        """Checks the values; subclasses raise ValueError naming them."""

    def check_positive(self, names, source):
        """Each setting in `names` is an int >= 1 (else ValueError)."""
        for name in names:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{source}: {name} must be a positive integer; "
                    f"received {value!r}"
                )

    def check_choice(self, name, choices, source):
        """Setting `name` is one of `choices` (else ValueError)."""
        value = getattr(self, name)
        if value not in choices:
            listed = ", ".join("null" if c is None else str(c) for c in choices)
            raise ValueError(
                f"{source}: {name} must be one of {listed}; received {value!r}"
            )

    def check_rates(self, names, source):
        """Each setting in `names` is a rate in [0, 1) (else ValueError)."""
        for name in names:
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ValueError(
                    f"{source}: {name} must be in [0, 1); received {value!r}"
                )

    def check_fraction(self, name, source):
        """Setting `name` is a number in (0, 1) (else ValueError)."""
        value = getattr(self, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0.0 < value < 1.0
        ):
            raise ValueError(
                f"{source}: {name} must be in (0, 1); received {value!r}"
            )

    def to_dict(self):
        return dataclasses.asdict(self)
