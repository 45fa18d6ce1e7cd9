"""callback_id, action_id and block_id values: shared by the views that emit them and the
listeners that match them."""

# Modals
REQUEST_MODAL = "request_modal"
DECLINE_MODAL = "decline_modal"
NEED_INFO_MODAL = "need_info_modal"
SETTINGS_MODAL = "request_settings_modal"

# Shortcuts
FILE_AS_REQUEST = "file_as_request"

# Request modal blocks (inline errors are keyed by block_id)
TITLE = "title"
DESCRIPTION = "description"
KIND = "kind"
IMPACT = "impact"
ON_BEHALF_OF = "on_behalf_of"
NEEDED_BY = "needed_by"
REASON = "reason"
QUESTION = "question"
INTAKE_CHANNEL = "intake_channel"
TRIAGERS = "triagers"
VALUE = "value"  # the action_id of the single element inside an input block

# Card actions (their block_id carries the request number: "card:<number>")
CARD_BLOCK_PREFIX = "card:"
ACCEPT = "request_accept"
DECLINE = "request_decline"
NEED_INFO = "request_need_info"
MARK_DUPLICATE = "request_mark_duplicate"
ASSIGN = "request_assign"
FOLLOW = "request_follow"
UPVOTE = "request_upvote"

# Ephemeral replies
ADD_DETAILS = "request_add_details"
LIST_PAGE = "request_list_page"
OPEN_REQUEST_MODAL = "request_open_modal"
