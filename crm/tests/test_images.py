"""The image pipeline on real files that Pillow builds here, byte for byte as a phone would."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms

from crm.images import AVATAR, MOMENT, ImageRejected, ImageSpec, process_image

RED = (220, 20, 20)
BLUE = (20, 20, 220)


@pytest.fixture(autouse=True)
def _english():
    # The messages are translated; assert on the English wording.
    with translation.override("en"):
        yield


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def two_halves(width: int, height: int, left=RED, right=BLUE) -> Image.Image:
    image = Image.new("RGB", (width, height), right)
    image.paste(Image.new("RGB", (width // 2, height), left), (0, 0))
    return image


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def rejected_message(data: bytes, spec: ImageSpec = AVATAR, name: str = "photo.jpg") -> str:
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    with pytest.raises(ImageRejected) as caught:
        process_image(upload, spec)
    message = caught.value.messages[0]
    assert message  # a sentence for the user, never empty
    return message


def test_gps_exif_is_stripped_from_a_jpeg():
    image = two_halves(300, 300)
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 10.5)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 2.25)
    source = encode(image, "JPEG", exif=exif.tobytes(), quality=95)
    assert opened(source).getexif().get_ifd(0x8825)  # the input really carries GPS

    result = process_image(io.BytesIO(source), MOMENT)

    out = opened(result.content)
    assert out.format == "JPEG"
    assert len(out.getexif()) == 0
    assert "exif" not in out.info
    assert b"Exif" not in result.content and b"PhoneMaker" not in result.content
    assert b"Exif" not in result.thumbnail


def test_orientation_6_photo_comes_out_upright():
    # Stored 400 wide x 200 high, red on the left. Orientation 6 means "rotate 90° clockwise to
    # display", so the viewer sees a 200 x 400 picture with red on top and blue below.
    stored = two_halves(400, 200)
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encode(stored, "JPEG", exif=exif.tobytes(), quality=95)

    result = process_image(io.BytesIO(source), MOMENT)

    out = opened(result.content).convert("RGB")
    assert (result.width, result.height) == (200, 400) == out.size
    assert close_to(out.getpixel((100, 50)), RED)
    assert close_to(out.getpixel((100, 350)), BLUE)
    assert len(out.getexif()) == 0  # the orientation tag is gone too, so nobody rotates twice


def test_avatar_is_centre_cropped_square_with_a_thumbnail():
    source = encode(two_halves(900, 700), "PNG")

    result = process_image(io.BytesIO(source), AVATAR)

    assert (result.width, result.height) == (640, 640)
    thumb = opened(result.thumbnail)
    assert thumb.size == (132, 132) and thumb.format == "JPEG"
    out = opened(result.content).convert("RGB")
    assert close_to(out.getpixel((10, 320)), RED) and close_to(out.getpixel((630, 320)), BLUE)


def test_small_images_are_never_upscaled():
    result = process_image(io.BytesIO(encode(two_halves(120, 80), "WEBP")), MOMENT)
    assert (result.width, result.height) == (120, 80)


def test_decompression_bomb_is_refused():
    # 10,000 x 10,000 one-bit pixels compress to a few kilobytes but decode to 100 megapixels.
    bomb = encode(Image.new("1", (10_000, 10_000)), "PNG")
    assert len(bomb) < 200_000
    message = rejected_message(bomb, name="bomb.png")
    assert "megapixels" in message


def test_image_over_our_pixel_limit_is_refused_from_its_header():
    big = encode(Image.new("1", (8_000, 6_000)), "PNG")  # 48 Mpx: under Pillow's limit, over ours
    message = rejected_message(big, name="big.png")
    assert "8000" in message and "6000" in message


def test_truncated_jpeg_is_refused():
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    whole = encode(noisy, "JPEG", quality=90)
    message = rejected_message(whole[: len(whole) // 2])
    assert "damaged" in message


def test_text_file_named_jpg_is_refused():
    message = rejected_message("这不是图片 just some text\n".encode(), name="notes.jpg")
    assert "not a picture" in message


def test_zero_byte_file_is_refused():
    assert "empty" in rejected_message(b"")


def test_pdf_bytes_are_refused():
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    assert "not a picture" in rejected_message(pdf, name="scan.jpg")


def test_bmp_is_not_an_allowed_format():
    assert "not a picture" in rejected_message(encode(two_halves(40, 40), "BMP"), name="x.bmp")


def test_file_over_the_byte_limit_is_refused():
    small_limit = ImageSpec("tiny", max_side=100, square=False, thumb_side=50, max_bytes=5_000)
    noisy = encode(Image.effect_noise((300, 300), 80).convert("RGB"), "PNG")
    assert len(noisy) > 5_000
    assert "larger than" in rejected_message(noisy, spec=small_limit)
    # A plain stream without a size attribute is refused too, after reading only limit + 1 bytes.
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(noisy), small_limit)


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (60, 60), RED), Image.new("RGB", (60, 60), BLUE)]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(gif)).n_frames == 2

    result = process_image(io.BytesIO(gif), MOMENT)

    out = opened(result.content).convert("RGB")
    assert close_to(out.getpixel((30, 30)), RED)


def test_cmyk_jpeg_is_converted_to_rgb():
    cmyk = Image.new("CMYK", (80, 80), (0, 255, 255, 0))  # full magenta + yellow = red
    source = encode(cmyk, "JPEG", quality=95)
    assert Image.open(io.BytesIO(source)).mode == "CMYK"

    result = process_image(io.BytesIO(source), MOMENT)

    out = opened(result.content)
    assert out.mode == "RGB"
    red, green, blue = out.getpixel((40, 40))
    assert red > 200 and green < 80 and blue < 80


def test_sixteen_bit_png_is_scaled_not_clipped():
    grey = Image.new("I;16", (64, 64), 32768)  # half-way grey in 16 bits
    source = encode(grey, "PNG")
    assert Image.open(io.BytesIO(source)).mode.startswith("I;16")

    result = process_image(io.BytesIO(source), MOMENT)

    out = opened(result.content)
    assert out.mode == "RGB"
    assert all(abs(channel - 128) <= 3 for channel in out.getpixel((32, 32)))


def test_icc_profile_is_applied_and_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(two_halves(100, 100), "PNG", icc_profile=srgb)
    assert Image.open(io.BytesIO(source)).info.get("icc_profile")

    result = process_image(io.BytesIO(source), MOMENT)

    out = opened(result.content)
    assert "icc_profile" not in out.info
    assert close_to(out.convert("RGB").getpixel((10, 50)), RED)


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    result = process_image(io.BytesIO(encode(image, "PNG")), MOMENT)
    assert close_to(opened(result.content).getpixel((25, 25)), (255, 255, 255), tolerance=5)


def test_rejection_is_a_validation_error_with_a_code():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        process_image(io.BytesIO(b""), AVATAR)
    assert caught.value.code == "empty"


@pytest.mark.parametrize(
    ("language", "limit"), [("zh-hans", "最多允许 4000 万像素。"), ("en", "at most 40 megapixels")]
)
def test_the_pixel_limit_is_counted_in_the_languages_own_unit(language, limit):
    """Chinese counts large numbers in 万 (ten thousand): 40 million pixels are 4000 万像素,
    never "40 百万像素"."""
    big = encode(Image.new("1", (8_000, 6_000)), "PNG")
    with translation.override(language):
        message = rejected_message(big, name="big.png")
    assert limit in message
    assert "百万" not in message


@pytest.mark.parametrize(
    ("language", "limit"),
    [("zh-hans", "（最多 20000 万像素）"), ("en", "(at most 200 megapixels)")],
)
def test_a_decompression_bombs_limit_is_counted_in_the_languages_own_unit(language, limit):
    # Past Pillow's own bomb limit (about 89 Mpx) but within this spec's.
    roomy = ImageSpec("roomy", max_side=640, square=True, thumb_side=132, max_pixels=200_000_000)
    bomb = encode(Image.new("1", (10_000, 10_000)), "PNG")
    with translation.override(language):
        assert limit in rejected_message(bomb, roomy, name="bomb.png")
