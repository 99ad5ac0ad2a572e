"""A pool of threads that a submit hands work to with one put on a queue."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from functools import partial
from typing import Any

_STOP = None


class ThreadPool(Executor):
    """Runs callables on `max_workers` threads, all started with the first submit and kept.

    concurrent.futures.ThreadPoolExecutor takes, on every submit, a semaphore counting its
    idle threads, written in Python: under a burst of requests its lock was often held by
    the thread that had just run the previous listener, while that thread waited for the
    interpreter lock, so the next request waited with it (~0.2 ms per stored ack, py-spy).
    Here a submit makes its Future and puts it on a queue written in C.

    The threads are daemons: every process that builds a Runtime shuts it down (and so its
    pools) when it ends; one that dies on the way leaves its inbox rows for a later tick.
    """

    def __init__(self, max_workers: int, thread_name_prefix: str = "pool") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._max_workers = max_workers
        self._prefix = thread_name_prefix
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._shut = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if not self._threads:
            self._start_threads()
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((future, partial(fn, *args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shut = True
            threads = list(self._threads)
        if cancel_futures:
            self._cancel_waiting()
        for _ in threads:
            self._queue.put(_STOP)
        if wait:
            for thread in threads:
                thread.join()

    def _start_threads(self) -> None:
        with self._lock:
            if self._threads or self._shut:
                return
            for number in range(self._max_workers):
                thread = threading.Thread(
                    target=self._work, name=f"{self._prefix}_{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call()
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)
            del item, future, call  # what it held is not kept alive while the thread waits

    def _cancel_waiting(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                item[0].cancel()
