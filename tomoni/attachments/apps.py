from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "tomoni.attachments"
    verbose_name = "添付ファイル（同意書・診断書・書類の写真）"
