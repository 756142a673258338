"""``szportal games install PATH|ZIP``: the same checks and storage as the upload page."""
import pathlib

import click

from .lifecycle import LifecycleError, promote as lifecycle_promote, set_status


def print_review(review):
    game = review.get("game")
    if game:
        click.echo(f"{game['name']} ({review['slug']})  version {game['version'][:12]}")
        click.echo("  roles: " + ", ".join(r["name"] for r in game["roles"]))
        click.echo(f"  operators: {len(game['operators'])}")
    for row in review.get("rows", []):
        click.echo(f"  {'ok  ' if row['ok'] else 'FAIL'} {row['check']}  {row['detail']}")
    for note in review.get("notes") or []:
        click.echo(f"  note: {note} (the game reached no goal; if it should end, check its "
                   "goal test)")
    if review.get("traceback"):
        click.echo(review["traceback"])


@click.command("install")
@click.argument("path", type=click.Path(exists=True))
@click.option("--status", type=click.Choice(["dev", "beta", "published"]), default="dev",
              show_default=True, help="Status of a newly installed game.")
@click.option("--yes", is_flag=True, help="Install without asking after a passed check.")
@click.option("--promote", is_flag=True,
              help="Make a new version of an existing game live at once (logged); without "
                   "it the version waits for a game admin in development.")
@click.option("--as", "install_as", type=click.Choice(["new-version", "new-game"]),
              default=None, help="When a game of the folder's name is installed: a new "
                                 "version of it, or a new game (asked when not given).")
@click.option("--slug", "new_slug", default=None,
              help="The new game's name with --as new-game (default: <name>_<n>).")
def install_command(path, status, yes, promote, install_as, new_slug):
    """Check a game folder or ZIP in a separate process, then install it as a new version."""
    from ..cli import make_app
    from . import services
    app = make_app()
    with app.app_context():
        source = pathlib.Path(path)
        try:
            if source.is_dir():
                token, review = services.stage_folder(source)
            else:
                token, review = services.stage_zip(source, source.name)
        except services.InstallError as exc:
            raise click.ClickException(f"refused: {exc}")
        print_review(review)
        if token is None:
            raise click.ClickException(f"not installed: {review.get('error')}")
        if review.get("existing_game") and install_as is None:
            if yes:
                services.discard(token)
                raise click.ClickException(
                    f"not installed: a game {review['slug']!r} (“{review['existing_game']}”) "
                    "is installed; say --as new-version or --as new-game.")
            click.echo(f"A game {review['slug']!r} (“{review['existing_game']}”) is installed.")
            choice = click.prompt(f"Is this [v] a new version of it, or [n] a new game "
                                  f"(named {review['free_slug']})?",
                                  type=click.Choice(["v", "n"]), default="v")
            install_as = "new-version" if choice == "v" else "new-game"
        if not yes and not click.confirm("Install this version?"):
            services.discard(token)
            raise click.ClickException("not installed.")
        try:
            version = services.confirm(token, install_as=install_as, new_slug=new_slug)
            if promote and version.promoted_at is None:
                lifecycle_promote(version, None)
            if status != version.game.status and version.game.status == "dev":
                promote_status(version.game, status)
        except (services.InstallError, LifecycleError) as exc:
            raise click.ClickException(str(exc))
        state = "live" if version.promoted_at else "in development until promoted"
        what = {"new-version": f" as a new version of {version.game.slug}",
                "new-game": f" as a new game {version.game.slug}"}.get(install_as, "")
        click.echo(f"Installed {version.game.slug} version {version.version_hash[:12]}{what} "
                   f"({version.game.status}, {state}) in {version.folder}")


def promote_status(game, status):
    class Console:
        id = None
    order = ["dev", "beta", "published"]
    for step in order[order.index(game.status) + 1: order.index(status) + 1]:
        set_status(game, step, Console)


def register(main):
    """Add ``install`` to the ``games`` command group of ``szportal``."""
    group = main.commands.get("games")
    if group is not None and "install" not in group.commands:
        group.add_command(install_command)
