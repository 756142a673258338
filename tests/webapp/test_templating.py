"""The app's Jinja globals behave as Jinja's own ChainMap does, without its exceptions."""
import pytest

from webapp.templating import Globals, PortalEnvironment


def test_globals_read_like_a_chain_map():
    env_globals = {"url_for": "u", "shared": "env"}
    mine = Globals({"shared": "template"}, env_globals)
    assert mine["url_for"] == "u" and mine["shared"] == "template"
    assert dict(mine) == {"url_for": "u", "shared": "template"}
    assert mine.get("absent", 7) == 7 and "absent" not in mine
    with pytest.raises(KeyError):
        mine["absent"]
    env_globals["late"] = "added after the template was loaded"
    assert mine["late"] == "added after the template was loaded"
    mine["own"] = 1                                # a write stays with the template
    assert "own" not in env_globals


def test_templates_of_the_app_get_them_and_render_names_from_both(app):
    assert isinstance(app.jinja_env, PortalEnvironment)
    template = app.jinja_env.from_string("{{ greeting }} {{ who }}", globals={"who": "you"})
    assert isinstance(template.globals, Globals)
    app.jinja_env.globals["greeting"] = "hello"
    try:
        assert template.render() == "hello you"
        assert template.render(who="me") == "hello me"
    finally:
        del app.jinja_env.globals["greeting"]
