import logging

from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "tomoni.printing"
    verbose_name = "印刷・PDF（アセスメント・プラン・議事録）"

    def ready(self) -> None:
        # At INFO, fontTools logs the glyph names of every subset it embeds (enough to read
        # back the names on a printed plan) and WeasyPrint logs each rendering step: keep
        # both out of the server log whatever LOG_LEVEL says.
        for name in ("fontTools", "weasyprint.progress"):
            logging.getLogger(name).setLevel(logging.WARNING)
