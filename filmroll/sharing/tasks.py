from filmroll.sharing import shares
from filmroll.tasks.registry import task


@task("sharing.share", queue="default")
def share(share_id: int) -> None:
    shares.run(share_id)
