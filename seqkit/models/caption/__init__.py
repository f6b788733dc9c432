"""The caption decoder: conditioned generation from images or features."""

from seqkit.models.caption.model import (
    END_ID,
    RESERVED,
    START_ID,
    CaptionModel,
    caption_vocabulary,
    decode_ids,
    encode_captions,
)

__all__ = [
    "END_ID",
    "RESERVED",
    "START_ID",
    "CaptionModel",
    "caption_vocabulary",
    "decode_ids",
    "encode_captions",
]
