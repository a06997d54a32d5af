from toegang.cli import app

app()
