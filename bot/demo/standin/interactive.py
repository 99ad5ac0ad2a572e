"""Block actions, view submissions and view closes for ``SlackDriver``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from bot.demo.standin.models import (
    APP_ID,
    CHOICE_ELEMENTS,
    SELECT_ELEMENTS,
    TEXT_INPUT_ELEMENTS,
    Response,
    ViewRecord,
)
from bot.demo.standin.payloads import (
    VERIFICATION_TOKEN,
    action_entry,
    find_action,
    initial_value,
    is_empty,
    state_value,
    team_obj,
    user_obj,
)
from bot.demo.standin.render import text_of
from bot.demo.standin.view_acks import apply_view_ack

if TYPE_CHECKING:
    from bot.demo.standin.server import FakeSlack
    from bot.demo.standin.state import Workspace

_STATEFUL = SELECT_ELEMENTS | CHOICE_ELEMENTS | TEXT_INPUT_ELEMENTS


class InteractiveMixin:
    fake: FakeSlack
    ws: Workspace

    if TYPE_CHECKING:  # provided by SlackDriver

        def _user(self, user_id: str) -> Any: ...

        def _payload(self, payload: dict[str, Any], kind: str) -> Response: ...

    def _base(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind,
            "user": user_obj(self._user(user), self.ws.team_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "team": team_obj(self.ws.team_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _view_record(self, view_id: str) -> ViewRecord:
        rec = self.ws.views.get(view_id) or next(
            (h for h in self.ws.homes.values() if h.id == view_id), None
        )
        if rec is None or rec.closed:
            raise ValueError(f"view {view_id} is not open")
        return rec

    # ---- block_actions ---------------------------------------------------------------------
    def click(
        self,
        user: str,
        message_or_view: dict[str, Any] | str,
        action_id: str,
        value: Any = None,
        selected: Any = None,
    ) -> Response | None:
        """``user`` uses the element ``action_id`` in a message (a dict from
        ``fake.messages()``/``dm_messages()``), an ephemeral (from ``fake.ephemerals()``) or a
        view (a view dict or id). ``selected`` is the option value / user id / date... for
        selects, pickers and inputs. Changing an element of an input block without
        ``dispatch_action`` sends nothing (as in Slack): the view state is updated and None
        is returned."""
        target = message_or_view
        if isinstance(target, str) or str(target.get("id", "")).startswith("V"):
            view_id = target if isinstance(target, str) else target["id"]
            return self._click_view(user, view_id, action_id, value, selected)
        if target.get("is_ephemeral"):
            return self._click_ephemeral(user, target, action_id, value, selected)
        return self._click_message(user, target, action_id, value, selected)

    def _click_message(
        self, user: str, target: dict[str, Any], action_id: str, value: Any, selected: Any
    ) -> Response:
        channel = self.ws.channels.get(str(target.get("channel")))
        if channel is None:
            raise ValueError("pass a message dict from fake.messages()/dm_messages()")
        msg = self.ws.message(channel.id, str(target.get("ts")))
        if msg is None:
            raise ValueError(f"message {target.get('ts')} no longer exists in {channel.id}")
        if user not in channel.members:
            raise ValueError(f"{user} cannot see {channel.label()}")
        block, element = find_action(msg.blocks or [], action_id)
        action = action_entry(block, element, value, selected)
        payload = self._base("block_actions", user)
        payload.update(
            {
                "container": {
                    "type": "message",
                    "message_ts": msg.ts,
                    "channel_id": channel.id,
                    "is_ephemeral": False,
                },
                "trigger_id": self.fake.new_trigger_id(user),
                "channel": {
                    "id": channel.id,
                    "name": "directmessage" if channel.is_im else channel.name,
                },
                "message": self.ws.message_api(msg),
                "state": {"values": self._state_after(block, element, action)},
                "response_url": self.fake.response_url_for(user, channel.id, message_ts=msg.ts),
                "actions": [action],
            }
        )
        return self._payload(payload, f"block_actions {action_id}")

    def _click_ephemeral(
        self, user: str, target: dict[str, Any], action_id: str, value: Any, selected: Any
    ) -> Response:
        eph = next((e for e in self.ws.ephemerals if e.id == target.get("ephemeral_id")), None)
        if eph is None or eph.deleted or eph.user != user:
            raise ValueError("that ephemeral message is not visible to this user")
        block, element = find_action(eph.blocks or [], action_id)
        action = action_entry(block, element, value, selected)
        channel = self.ws.channels.get(eph.channel)
        payload = self._base("block_actions", user)
        payload.update(
            {
                "container": {
                    "type": "message",
                    "message_ts": eph.ts,
                    "channel_id": eph.channel,
                    "is_ephemeral": True,
                },
                "trigger_id": self.fake.new_trigger_id(user),
                "channel": {
                    "id": eph.channel,
                    "name": channel.name if channel and not channel.is_im else "directmessage",
                },
                "state": {"values": self._state_after(block, element, action)},
                "response_url": self.fake.response_url_for(user, eph.channel, ephemeral_id=eph.id),
                "actions": [action],
            }
        )
        return self._payload(payload, f"block_actions {action_id}")

    def _state_after(
        self, block: dict[str, Any], element: dict[str, Any], action: dict[str, Any]
    ) -> dict[str, Any]:
        if element.get("type") not in _STATEFUL:
            return {}
        entry = {
            k: v
            for k, v in action.items()
            if k not in ("action_id", "block_id", "action_ts", "placeholder")
        }
        return {block.get("block_id"): {element.get("action_id"): entry}}

    def _click_view(
        self, user: str, view_id: str, action_id: str, value: Any, selected: Any
    ) -> Response | None:
        with self.ws.lock:
            rec = self._view_record(view_id)
            if rec.owner != user:
                raise ValueError(f"view {view_id} belongs to {rec.owner}, not {user}")
            block, element = find_action(rec.view.get("blocks") or [], action_id)
            action = action_entry(block, element, value, selected)
            for bid, entries in self._state_after(block, element, action).items():
                rec.view["state"]["values"].setdefault(bid, {}).update(entries)
            if block.get("type") == "input" and not block.get("dispatch_action"):
                return None
            view = copy.deepcopy(rec.view)
        payload = self._base("block_actions", user)
        payload.update(
            {
                "container": {"type": "view", "view_id": view_id},
                "trigger_id": self.fake.new_trigger_id(user, view_id),
                "view": view,
                "actions": [action],
            }
        )
        return self._payload(payload, f"block_actions {action_id}")

    # ---- view_submission / view_closed -----------------------------------------------------
    def _top_view(self, user: str, view_id: str) -> ViewRecord:
        stack = self.ws.view_stacks.get(user, [])
        if not stack or stack[-1] != view_id:
            raise ValueError(f"{view_id} is not {user}'s top modal (stack: {stack})")
        return self.ws.views[view_id]

    def submit(
        self, user: str, view_id: str, values: dict[str, dict[str, Any]] | None = None
    ) -> Response:
        """``user`` submits their top modal with ``values[block_id][action_id]`` (plain values:
        a string, an option value, a user id, a list for multi-selects/checkboxes...). Inputs not
        given keep their current/initial value. The ack's response_action is applied."""
        values = values or {}
        with self.ws.lock:
            rec = self._top_view(user, view_id)
            if not rec.view.get("submit"):
                raise ValueError(f"view {view_id} has no submit button")
            view = copy.deepcopy(rec.view)
            state = view["state"]["values"]
            inputs = {
                b.get("block_id"): b
                for b in view.get("blocks", [])
                if isinstance(b, dict) and b.get("type") == "input"
            }
            for block_id, entries in values.items():
                block = inputs.get(block_id)
                if block is None:
                    raise ValueError(f"no input block {block_id!r}; inputs: {sorted(inputs)}")
                for action_id, value in entries.items():
                    element = block.get("element", {})
                    if element.get("action_id") != action_id:
                        raise ValueError(
                            f"input {block_id!r} has action_id "
                            f"{element.get('action_id')!r}, not {action_id!r}"
                        )
                    state.setdefault(block_id, {})[action_id] = state_value(element, value)
            for block_id, block in inputs.items():
                element = block.get("element", {})
                aid = element.get("action_id")
                entry = state.setdefault(block_id, {}).get(aid)
                if entry is None:
                    entry = state_value(element, initial_value(element))
                    state[block_id][aid] = entry
                if is_empty(entry) and not block.get("optional"):
                    raise ValueError(
                        f"required input {text_of(block.get('label'))!r} "
                        f"({block_id}) is empty; Slack would not submit"
                    )
            rec.view["state"] = copy.deepcopy(view["state"])
        payload = self._base("view_submission", user)
        payload.update(
            {
                "trigger_id": self.fake.new_trigger_id(user, view_id),
                "view": view,
                "response_urls": [],
            }
        )
        seq = self.ws.next_seq()
        res = self._payload(payload, f"view_submission {view.get('callback_id')}")
        apply_view_ack(
            self.ws, user, view_id, res.status, res.content_type, res.body, self.fake.violate, seq
        )
        return res

    def close(self, user: str, view_id: str) -> Response | None:
        """``user`` closes their top modal; ``view_closed`` is sent only when the view has
        ``notify_on_close`` (as in Slack). Returns the app's response or None."""
        with self.ws.lock:
            rec = self._top_view(user, view_id)
            view = copy.deepcopy(rec.view)
            cleared = bool(view.get("clear_on_close"))
            self.ws.close_top(user, clear=cleared)
        if not view.get("notify_on_close"):
            return None
        payload = self._base("view_closed", user)
        payload.update({"view": view, "is_cleared": cleared})
        return self._payload(payload, f"view_closed {view.get('callback_id')}")
