"""What an uploaded file really is, decided from its bytes, never from its name.

Accepted: PDF (scanners, 複合機), JPEG and PNG (phone photos of documents, screenshots) and
TIFF (some scanners). Refused: everything else, HEIC included — it needs the patent-encumbered
HEVC decoder (libheif) on the server, and iPhones send JPEG through the browser by default
(「互換性優先」). Images are opened with Pillow to be sure they are whole images, within
Pillow's decompression-bomb limit; a PDF must start and end like one.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

PDF, JPEG, PNG, TIFF = "application/pdf", "image/jpeg", "image/png", "image/tiff"
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    TIFF: (".tif", ".tiff"),
}
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", TIFF: "TIFF"}
NAME_LIMIT = 100
PREVIEW_SIZE = (1200, 1200)
ACCEPTED_TEXT = "PDF・JPEG・PNG・TIFF"
_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))


@dataclass(frozen=True)
class Checked:
    content_type: str
    name: str
    size: int
    sha256: str
    preview: bytes | None  # a JPEG for images (EXIF stripped, turned upright), None for PDF


def sniff(head: bytes) -> str | None:
    """The type from the first bytes (magic numbers), or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


def safe_name(raw: str, content_type: str) -> str:
    """A display and download name that cannot be a path, hide its real type or carry
    control characters: the last path part (both / and \\), no control or format
    characters (bidi overrides included), no leading dots, at most NAME_LIMIT characters,
    ending in the extension of the detected type."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(c)[0] == "Z" else c
        for c in name
        if unicodedata.category(c)[0] != "C"
    )
    name = " ".join(name.translate(_RESERVED).split()).strip(". ")
    stem, ext = os.path.splitext(name)
    allowed = EXTENSIONS[content_type]
    if ext.lower() not in allowed:
        stem, ext = name, allowed[0]
    stem = stem[: NAME_LIMIT - len(ext)].rstrip(". ") or "添付ファイル"
    return stem + ext.lower()


def _image(data: bytes, content_type: str) -> bytes:
    """Check that the bytes are a whole image of the sniffed format; return a preview."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != PILLOW_FORMATS[content_type]:
                    raise ValidationError("ファイルの中身と形式が一致しません。")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                preview = upright.convert("RGB")
                preview.thumbnail(PREVIEW_SIZE)
                out = io.BytesIO()
                preview.save(out, "JPEG", quality=85)
                return out.getvalue()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                "画像の画素数が大きすぎます。解像度を下げてから添付してください。"
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ValidationError(
                "画像ファイルが壊れているか、読み取れません。もう一度保存してから添付してください。"
            ) from error


def check(data: bytes, raw_name: str, limit: int) -> Checked:
    """Everything decided before anything is stored; a ValidationError (in Japanese) if the
    file must be refused."""
    if not data:
        raise ValidationError("ファイルが空です。")
    if len(data) > limit:
        raise ValidationError(
            f"ファイルが大きすぎます（上限 {limit // (1024 * 1024)}MB）。"
            "スキャンの解像度を下げるか、ページを分けて添付してください。"
        )
    kind = sniff(data[:16])
    if kind == "image/heic":
        raise ValidationError(
            "HEIC形式（iPhoneの写真）は添付できません。JPEGで保存し直すか、iPhoneの"
            "「設定 > カメラ > フォーマット」を「互換性優先」にして撮影してください。"
        )
    if kind is None:
        raise ValidationError(
            f"このファイルの形式は添付できません（添付できるのは {ACCEPTED_TEXT}）。"
            "ファイル名ではなく中身で判定しています。"
        )
    preview = None
    if kind == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                "PDFファイルが途中で切れているか、壊れています。もう一度保存してから添付してください。"
            )
    else:
        preview = _image(data, kind)
    return Checked(
        content_type=kind,
        name=safe_name(raw_name, kind),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        preview=preview,
    )
