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
UNFOLLOW = "request_unfollow"
UNDO_UPVOTE = "request_undo_upvote"

# Similar requests (#16): suggestions under the modal's title, after a quick filing, on the card
SIMILAR_BLOCK_PREFIX = "similar:"  # a suggestion in the request modal: "similar:<number>"
SIMILAR_PLUS_ONE = "similar_plus_one"  # value: the suggested request's number
SIMILAR_MERGE = "similar_merge"  # value: {"number": the new request, "into": the suggested one}
CARD_DUPLICATES_PREFIX = "card_dups:"  # the card's "Mark duplicate of REQ-n" buttons: "card_dups:<number>"
MARK_DUPLICATE_OF = "request_mark_duplicate_of"  # value: the original's number
FILE_SEARCH_AS_REQUEST = "similar_file_search"  # value: the whole `/request search …` text, to file as is

# Ephemeral replies
ADD_DETAILS = "request_add_details"
LIST_PAGE = "request_list_page"
OPEN_REQUEST_MODAL = "request_open_modal"

# Roadmap and approvals
PROPOSE_MODAL = "roadmap_propose_modal"
REJECT_MODAL = "proposal_reject_modal"
CHANGES_MODAL = "proposal_changes_modal"
POLICY_MODAL = "roadmap_policy_modal"
PROPOSAL_BLOCK_PREFIX = "proposal:"  # the block_id of a card's actions carries the proposal number
APPROVE = "proposal_approve"
REJECT = "proposal_reject"
REQUEST_CHANGES = "proposal_request_changes"
WITHDRAW = "proposal_withdraw"
RESUBMIT = "proposal_resubmit"
SHARE_ROADMAP = "roadmap_share"
OPEN_PROPOSE_MODAL = "roadmap_open_propose"
ITEM_PICKER = "roadmap_item_picker"
REQUEST_PICKER = "roadmap_request_picker"
TEMPLATE_PICKER = "launch_template_picker"  # the type-ahead of templates, once there are over 100
COMMENT = "comment"
APPROVERS = "approvers"
APPROVER_GROUP = "approver_group"
APPROVER_GROUP_PICKER = "approver_group_picker"  # type-ahead over usergroups.list; value: the group's id
REQUIRED_APPROVALS = "required_approvals"
EXPIRY_DAYS = "expiry_days"
APPROVALS_CHANNEL = "approvals_channel"
ANNOUNCEMENTS_CHANNEL = "announcements_channel"

# App Home (buttons on the Home tab, and in its "See all" modal)
HOME_SEE_ALL = "home_see_all"  # value: the list (bot.services.home.service.HomeList)
HOME_LIST_PAGE = "home_list_page"  # value: {"list": ..., "page": n}
HOME_OPEN_SETTINGS = "home_open_settings"
HOME_OPEN_POLICY = "home_open_policy"
HOME_OPEN_ADMINS = "home_open_admins"

# Admin settings modals opened from the Home tab
ADMINS_MODAL = "pmbot_admins_modal"
PMBOT_ADMINS = "pmbot_admins"
DIGEST_DEFAULTS_MODAL = "digest_defaults_modal"
DEFAULT_DIGEST_DAY = "default_digest_day"
DEFAULT_DIGEST_TIME = "default_digest_time"

# Shared between App Home (#6) and the launch and digest features
HOME_NEW_LAUNCH = "home_new_launch"  # opens the same modal as `/launch new`
HOME_LAUNCH_TEMPLATES = "home_launch_templates"  # opens the admin's launch-template modal
HOME_DIGEST_DEFAULTS = "home_digest_defaults"  # opens the admin's digest-defaults modal

# Weekly digest messages: "See all N" under a list that did not fit, and its modal's pager
DIGEST_SEE_ALL = "digest_see_all"  # value: {"l": list, "s": since, "u": until, "z": zone} (epoch seconds)
DIGEST_LIST_PAGE = "digest_list_page"  # value: the same, with "p": page

# /digest subscribe (its input blocks are named in bot.services.digests.service)
TIMEZONE_PICKER = "timezone_picker"  # type-ahead over IANA zones; the option's value is the zone's name
DIGEST_MODAL = "digest_subscribe_modal"  # private_metadata: {"channel": channel id}

# Launch checklists
LAUNCH_MODAL = "launch_new_modal"
LAUNCH_ITEM_MODAL = "launch_item_modal"
LAUNCH_DATE_MODAL = "launch_date_modal"
LAUNCH_TEMPLATE_MODAL = "launch_template_modal"
LAUNCH_NO_GO_MODAL = "launch_no_go_modal"  # a no-go vote's reason; metadata {number, round}
LAUNCH_BLOCK_PREFIX = "launch:"  # the parent's (and one launch's) buttons: "launch:<number>"
LAUNCH_ITEMS_PREFIX = "lchk:"  # a checkbox group: "lchk:<number>:<item id>.<item id>..."
GONOGO_BLOCK_PREFIX = "gonogo:"  # a poll's buttons: "gonogo:<number>:<round>"
LAUNCH_TICK = "launch_tick"
LAUNCH_ITEM_MENU = "launch_item_menu"  # value: the item's id
LAUNCH_MARK_LAUNCHED = "launch_mark_launched"
LAUNCH_CHANGE_DATE = "launch_change_date"
LAUNCH_CANCEL = "launch_cancel"
LAUNCH_OPEN_GONOGO = "launch_open_gonogo"
LAUNCH_GO = "launch_go"
LAUNCH_NO_GO = "launch_no_go"
LAUNCH_CLOSE_GONOGO = "launch_close_gonogo"
LAUNCH_OPEN_MODAL = "launch_open_modal"
LAUNCH_EDIT_TEMPLATE = "launch_edit_template"  # value: "edit:<template name>", or "new"
