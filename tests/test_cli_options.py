"""Command-line options generated from settings models (beavertail.cli.options) and the
groups built on first use (beavertail.cli.lazy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import pytest
import typer
from pydantic import Field
from typer.testing import CliRunner

from beavertail.cli.options import Setting, settings_options, under
from beavertail.settings import Settings


class Inner(Settings):
    temperature: float = Field(0.0, description="0: greedy.")
    tags: list[str] = Field(default_factory=list, description="Labels.")


class Toy(Settings):
    name: str = Field("toy", description="A name.")
    mode: Literal["fast", "slow"] = Field("fast", description="How to run.")
    steps: int | None = Field(3, ge=1, description="Steps [all when unset].")
    weights: list[float] | None = Field(None, description="One per part.")
    check: bool = Field(True, description="Check the result.")
    inner: Inner | None = None


ConfigOption = Annotated[Path | None, typer.Option()]


def _app(received: list[Toy]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @settings_options(
        Toy,
        "name",
        "mode",
        "steps",
        "weights",
        "check",
        temperature="inner.temperature",
        tag=Setting("inner.tags", "A label (repeat or comma-separate)."),
    )
    def run(out: Path, settings: dict, config: ConfigOption = None) -> None:
        received.append(Toy.load(config, **settings))
        print(f"out={out}")

    @app.command()
    def other() -> None:
        pass

    return app


def test_options_reach_the_nested_model_and_override_the_file(tmp_path):
    received: list[Toy] = []
    config = tmp_path / "toy.json"
    config.write_text(json.dumps({"name": "from-file", "steps": 9, "inner": {"temperature": 0.5}}))
    args = ["run", "o", "--mode", "slow", "--weights", "1,0.5", "--weights", "2", "--no-check"]
    args += ["--tag", "a,b", "--tag", "c", "--temperature", "0.7", "--config", str(config)]
    result = CliRunner().invoke(_app(received), args)
    assert result.exit_code == 0, result.output
    assert "out=o" in result.output
    toy = received[0]
    assert (toy.name, toy.mode, toy.steps, toy.check) == ("from-file", "slow", 9, False)
    assert toy.weights == [1.0, 0.5, 2.0]
    assert toy.inner == Inner(temperature=0.7, tags=["a", "b", "c"])


def test_unset_options_leave_the_model_defaults_and_add_no_table():
    received: list[Toy] = []
    result = CliRunner().invoke(_app(received), ["run", "o"])
    assert result.exit_code == 0, result.output
    assert received == [Toy()]  # inner stays None: no option under it was given


def test_help_shows_each_fields_description_choices_and_default():
    result = CliRunner().invoke(_app([]), ["run", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if "--" in line}
    assert "A name." in lines["--name"] and "[toy]" in lines["--name"]
    assert "fast | slow" in lines["--mode"] and "[fast]" in lines["--mode"]
    assert "Steps [all when unset]. [3]" in lines["--steps"]  # a literal bracket stays text
    assert "[" not in lines["--weights"].split("One per part.")[1]  # no default to show
    assert "[yes]" in lines["--check"]
    assert "0: greedy. [0.0]" in lines["--temperature"]
    assert "A label (repeat or comma-separate)." in lines["--tag"]


def test_a_bad_value_names_the_option():
    result = CliRunner().invoke(_app([]), ["run", "o", "--steps", "many"])
    assert result.exit_code == 2 and "--steps" in result.output


def test_a_path_the_model_lacks_fails_when_the_command_is_declared():
    with pytest.raises(TypeError, match="no setting 'missing'"):
        settings_options(Toy, "inner.missing")
    with pytest.raises(TypeError, match="not a table"):
        settings_options(Toy, "name.first")


def test_two_settings_under_one_option_name_fail_when_declared():
    with pytest.raises(TypeError, match="--temperature"):
        settings_options(Toy, "inner.temperature", temperature="inner.tags")


def test_an_empty_list_option_is_unset_and_a_command_help_keeps_its_brackets():
    received: list[Toy] = []
    app = typer.Typer()

    @app.command()
    @settings_options(Toy, Setting("weights", "Weights [one each]."))
    def run(settings: dict) -> None:
        received.append(Toy.load(None, defaults={"weights": [7.0]}, **settings))

    @app.command()
    def other() -> None:
        pass

    assert CliRunner().invoke(app, ["run", "--weights", ""]).exit_code == 0
    assert received[0].weights == [7.0]  # the command's default, not an empty list
    shown = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).output
    assert "Weights [one each]." in shown


def test_under_prefixes_paths_and_keeps_replaced_help():
    nested = under("run", {"a": "x.y", "b": Setting("z", "Own help.")})
    assert nested == {"a": Setting("run.x.y"), "b": Setting("run.z", "Own help.")}


def test_lazy_groups_are_listed_without_importing_them_and_build_on_use():
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from beavertail.cli import app;"
        "r = CliRunner().invoke(app, ['--help'], env={'COLUMNS': '200'});"
        "assert r.exit_code == 0, r.output;"
        "assert all(f' {g} ' in r.output for g in ('steer', 'align', 'eval', 'persona')), r.output;"
        "print(sorted(m for m in sys.modules if m.startswith('beavertail.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    loaded = out.stdout.strip()
    assert not any(f"beavertail.cli.{g}'" in loaded for g in ("steer", "align", "eval", "persona"))


@pytest.mark.parametrize(
    "command",
    [
        ["align", "dpo"],
        ["align", "modpo"],
        ["align", "sipo"],
        ["align", "safe-rlhf"],
        ["align", "merge"],
        ["eval", "run"],
        ["eval", "attack"],
        ["steer", "extract"],
        ["steer", "sweep"],
        ["persona", "tailor"],
    ],
)
def test_every_generated_command_shows_its_help(command):
    from beavertail.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "--config" in result.output


def test_the_top_level_lists_the_capabilities_in_the_documentations_order():
    from beavertail.cli import app
    from beavertail.cli.lazy import ORDER

    root = typer.main.get_command(app)
    names = root.list_commands(typer.Context(root))  # type: ignore[attr-defined]
    assert names == list(ORDER)
