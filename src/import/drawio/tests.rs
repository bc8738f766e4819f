//! draw.io reader unit tests.
