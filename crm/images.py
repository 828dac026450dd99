"""The one image pipeline: every uploaded picture (avatars, content images) passes through here.

``process_image(file, spec)`` gives back clean JPEG bytes or raises ``ImageRejected`` with a
message a user can read. What the caller may rely on for an accepted image:

- it really was a JPEG, PNG, WebP or GIF (the first frame of an animation), no larger than
  ``spec.max_bytes`` and ``spec.max_pixels``, and it decoded completely (no truncation);
- the EXIF orientation has been applied, so the pixels are upright;
- no metadata survives: no EXIF (GPS, camera, time), no XMP, no comments, no ICC profile;
- the pixels are 8-bit sRGB (an embedded ICC profile, CMYK included, is converted to sRGB);
- it is re-encoded as a baseline-compatible progressive JPEG, at most ``spec.max_side`` on its
  longer side (never upscaled), centre-cropped to a square for square specs;
- a thumbnail of at most ``spec.thumb_side`` is made the same way.

Pure Pillow; no models, so both ``contacts`` and ``content`` can import it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85
THUMB_QUALITY = 80


class ImageRejected(ValidationError):
    """The upload is not an image we accept; ``messages[0]`` says why, in the user's language."""


@dataclass(frozen=True)
class ImageSpec:
    """What an image is for, and therefore how big it may come in and go out."""

    name: str
    max_side: int
    square: bool
    thumb_side: int
    max_bytes: int = 10 * 1024 * 1024
    # Pillow's own bomb limit is ~89 Mpx; a phone photo is 12-50 Mpx. 40 Mpx keeps the decoded
    # RGB buffer near 120 MB, which a worker process can afford.
    max_pixels: int = 40_000_000


AVATAR = ImageSpec("avatar", max_side=640, square=True, thumb_side=132)
MOMENT = ImageSpec("moment", max_side=1440, square=False, thumb_side=240)


@dataclass(frozen=True)
class ProcessedImage:
    """The clean image (``content``) and its ``thumbnail``, both JPEG bytes."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int


def _read_limited(file: IO[bytes] | Any, max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes, so an oversized upload is never read whole."""
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise _too_big(max_bytes)
    if hasattr(file, "seek"):
        # A non-seekable stream is read from where it is.
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        raise ImageRejected(_("The upload is text, not an image."), code="not_image")
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    if not data:
        raise ImageRejected(_("The file is empty."), code="empty")
    return data


def _too_big(max_bytes: int) -> ImageRejected:
    return ImageRejected(
        _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes / 1024 / 1024, 1)},
        code="too_large",
    )


def pixel_count(pixels: int) -> str:
    """A number of pixels as the active language says it: "40 megapixels" in English, "4000
    万像素" in Chinese, which counts large numbers in ten-thousands (万), not in millions.

    The catalogue says how many pixels the language's unit holds, so the number shown is
    computed in the unit the words name."""
    # Translators: how many pixels the unit of "%(count)s megapixels" holds, digits only:
    # 1000000 for a megapixel, 10000 for 万像素.
    unit_text = pgettext("pixels in the unit of a pixel count", "1000000")
    try:
        unit = int(unit_text)
    except ValueError:  # a catalogue that says something else: count in millions
        unit = 1_000_000
    count = pixels / max(unit, 1)
    shown = f"{count:.0f}" if count.is_integer() else f"{count:.1f}"
    return pgettext("a pixel count", "%(count)s megapixels") % {"count": shown}


def _too_many_pixels(width: int, height: int, spec: ImageSpec) -> ImageRejected:
    return ImageRejected(
        _("The image is %(w)s x %(h)s pixels; at most %(limit)s are allowed.")
        % {"w": width, "h": height, "limit": pixel_count(spec.max_pixels)},
        code="too_many_pixels",
    )


def _not_image() -> ImageRejected:
    return ImageRejected(
        _("This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF image."),
        code="not_image",
    )


def _open(data: bytes, spec: ImageSpec) -> Image.Image:
    """Open, check the header's size, verify, and decode the first frame fully."""
    # Bomb warnings become errors so that no path decodes an oversized image.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            # The size comes from the header: nothing has been decoded yet.
            width, height = probe.size
            if width <= 0 or height <= 0:
                raise _not_image()
            if width * height > spec.max_pixels:
                raise _too_many_pixels(width, height, spec)
            probe.verify()  # structure and checksums (PNG CRCs); the object is spent after it
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            image.seek(0)  # the first frame of an animated GIF or WebP
            image.load()  # a truncated file fails here ("image file is truncated")
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(
                _("The image is too large to process safely (at most %(limit)s).")
                % {"limit": pixel_count(spec.max_pixels)},
                code="decompression_bomb",
            ) from exc
        except UnidentifiedImageError as exc:
            raise _not_image() from exc
        except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError) as exc:
            raise ImageRejected(
                _("The image file is damaged or incomplete and cannot be read."), code="damaged"
            ) from exc
    return image


def _sixteen_bit_to_l(image: Image.Image) -> Image.Image:
    """16-bit (and 32-bit) greyscale down to 8 bits by scaling, not by clipping at 255."""
    as_int = image.convert("I")
    scale = 1 / 256 if image.mode.startswith("I;16") or image.mode == "I" else 1
    return as_int.point(lambda value: value * scale).convert("L")


def _flatten_on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Any mode to 8-bit sRGB RGB; an embedded ICC profile is honoured when it parses."""
    if image.mode in {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}:
        image = _sixteen_bit_to_l(image)
    if icc_profile and image.mode in {"RGB", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(
                image,
                source,
                _SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to Pillow's plain conversion below
    if image.mode in {"RGBA", "LA", "La", "RGBa", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    ):
        return _flatten_on_white(image)
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif/icc_profile/comment arguments: the encoder writes only pixels and the JFIF header.
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _fit(image: Image.Image, side: int, square: bool) -> Image.Image:
    if square:
        edge = min(side, image.width, image.height)  # never upscale
        return ImageOps.fit(image, (edge, edge), method=Image.Resampling.LANCZOS)
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def process_image(file: IO[bytes] | Any, spec: ImageSpec) -> ProcessedImage:
    """Check and normalise an uploaded image for ``spec``; raises ``ImageRejected`` if refused.

    ``file`` is any binary file-like object (an open file, ``BytesIO``, a Django ``File`` or
    ``UploadedFile``). The returned bytes carry no metadata at all.
    """
    data = _read_limited(file, spec.max_bytes)
    image = _open(data, spec)
    icc_profile = image.info.get("icc_profile")
    # Malformed EXIF: keep the pixels as stored; the metadata is dropped below anyway.
    with contextlib.suppress(ValueError, TypeError, SyntaxError, OSError):
        image = ImageOps.exif_transpose(image)
    image = _to_srgb(image, icc_profile)
    # A fresh image holds only pixels: nothing from info (exif, xmp, comments) can leak out.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    main = _fit(clean, spec.max_side, spec.square)
    thumb = _fit(main, spec.thumb_side, spec.square)
    return ProcessedImage(
        content=_encode(main, JPEG_QUALITY),
        thumbnail=_encode(thumb, THUMB_QUALITY),
        width=main.width,
        height=main.height,
    )
