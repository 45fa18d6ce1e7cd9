"""Slack's Block Kit limits (docs.slack.dev reference/block-kit), named where they are kept."""

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and the Home tab
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
PLAIN_TEXT_INPUT = 3000
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
METADATA_SEAL = 36  # what bot.interactions.sealing adds to a modal's private_metadata
MESSAGE_TEXT = 3000  # Slack takes 40,000 but truncates past 4,000 in places; we stay well under
