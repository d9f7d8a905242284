package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio.TaskGroup (current CPython rules), the supervising variant, start() and cancel(). */
class TaskGroupTest {

    @Test
    void waitsForEveryChild() {
        Loops.run(() -> {
            List<Integer> done = new ArrayList<>();
            TaskGroup.run(g -> {
                for (int i = 3; i > 0; i--) {
                    int k = i;
                    g.createTask(() -> {
                        Asyncio.sleep(0.005 * k);
                        done.add(k);
                    });
                }
            });
            assertEquals(List.of(1, 2, 3), done);
        });
    }

    @Test
    void callReturnsTheBodysValue() {
        Loops.run(() -> {
            int n = TaskGroup.call(g -> {
                Task<Integer> a = g.createTask(() -> 20);
                Task<Integer> b = g.createTask(() -> 22);
                return a.await() + b.await();
            });
            assertEquals(42, n);
        });
    }

    @Test
    void theFirstFailureCancelsSiblingsAndBodyAndAllErrorsArriveTogether() {
        Loops.run(() -> {
            Order o = new Order();
            IOException first = new IOException("first");
            IllegalStateException second = new IllegalStateException("second");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Asyncio.sleep(0.01);
                    throw first;
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        o.expect(1);
                        throw second; // fails while being cancelled: counted too
                    }
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        o.expect(2);
                        throw e;
                    }
                });
                try {
                    Asyncio.sleep(10); // the body is cancelled too
                } catch (CancelledError e) {
                    o.expect(3);
                    throw e;
                }
            }));
            o.expect(4);
            assertEquals(List.of(first, second), eg.exceptions());
            assertEquals("unhandled errors in a TaskGroup (2 sub-exceptions)", eg.getMessage());
            // The group withdrew its own cancellation of this task.
            assertEquals(0, Asyncio.currentTask().cancelling());
            Asyncio.sleep(0);
        });
    }

    @Test
    void theBodysFailureIsInTheGroupAndCancelsTheChildren() {
        Loops.run(() -> {
            boolean[] childCancelled = {false};
            IOException bodyError = new IOException("body");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        childCancelled[0] = true;
                        throw e;
                    }
                });
                Asyncio.sleep(0);
                throw bodyError;
            }));
            assertTrue(childCancelled[0]);
            assertEquals(List.of(bodyError), eg.exceptions());
        });
    }

    @Test
    void childErrorsComeBeforeTheBodysError() {
        Loops.run(() -> {
            IOException child = new IOException("child");
            IllegalArgumentException body = new IllegalArgumentException("body");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    throw child;
                });
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    throw body;
                }
            }));
            assertEquals(List.of(child, body), eg.exceptions());
        });
    }

    @Test
    void anOutsideCancellationCancelsChildrenAndPropagates() {
        Loops.run(() -> {
            int[] cancelled = {0};
            Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 2; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(10);
                        } catch (CancelledError e) {
                            Asyncio.sleep(0.005); // cleanup; the group waits for it
                            cancelled[0]++;
                            throw e;
                        }
                    });
                }
                Asyncio.sleep(10);
            }));
            Asyncio.sleep(0.005);
            t.cancel("outside");
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("outside", e.getMessage());
            assertEquals(2, cancelled[0]);
        });
    }

    @Test
    void anOutsideCancellationWhileTheGroupWaitsForChildren() {
        Loops.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(g -> g.createTask(() -> Asyncio.sleep(10))));
            Asyncio.sleep(0.005);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(1, t.cancelling());
        });
    }

    @Test
    void errorsTakePriorityOverAnOutsideCancellation() {
        Loops.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        throw new IOException("failed while cancelled");
                    }
                });
                Asyncio.sleep(10);
            }));
            Asyncio.sleep(0.005);
            t.cancel();
            assertThrows(ExceptionGroup.class, t::await);
            assertEquals(1, t.cancelling(), "the outside request is kept");
        });
    }

    @Test
    void codeAfterAFailedGroupRunsNormally() {
        Loops.run(() -> {
            try {
                TaskGroup.run(g -> {
                    g.createTask(() -> {
                        throw new IOException("x");
                    });
                    Asyncio.sleep(10);
                });
            } catch (ExceptionGroup e) {
                // ignore, as in asyncio's docs example
            }
            Asyncio.sleep(0.001); // must not raise CancelledError
        });
    }

    @Test
    void nestedGroups() {
        Loops.run(() -> {
            IOException deep = new IOException("deep");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(outer -> {
                outer.createTask(() -> TaskGroup.run(inner -> {
                    inner.createTask(() -> {
                        throw deep;
                    });
                    inner.createTask(() -> Asyncio.sleep(10));
                }));
                outer.createTask(() -> Asyncio.sleep(10));
            }));
            assertEquals(1, eg.exceptions().size());
            ExceptionGroup innerGroup = assertInstanceOf(ExceptionGroup.class, eg.exceptions().get(0));
            assertEquals(List.of(deep), innerGroup.exceptions());
            assertEquals(List.of(deep), eg.leaves());
        });
    }

    @Test
    void creatingTasksInAFinishedOrFailingGroupIsAnError() {
        Loops.run(() -> {
            TaskGroup[] escaped = new TaskGroup[1];
            TaskGroup.run(g -> escaped[0] = g);
            IllegalStateException finished = assertThrows(IllegalStateException.class, () -> escaped[0].createTask(() -> 1));
            assertTrue(finished.getMessage().contains("finished"));
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    throw new IOException("x");
                });
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    assertTrue(g.isCancelling());
                    IllegalStateException shutting = assertThrows(IllegalStateException.class, () -> g.createTask(() -> 1));
                    assertTrue(shutting.getMessage().contains("shutting down"));
                    throw e;
                }
            }));
        });
    }

    @Test
    void outsideATaskItIsAnError() {
        assertThrows(IllegalStateException.class, () -> TaskGroup.run(g -> { }));
    }

    @Test
    void cancelStopsTheGroupFromInsideWithoutAnError() {
        Loops.run(() -> {
            int[] cancelled = {0};
            String r = TaskGroup.call(g -> {
                for (int i = 0; i < 3; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(10);
                        } catch (CancelledError e) {
                            cancelled[0]++;
                            throw e;
                        }
                    });
                }
                Asyncio.sleep(0);
                g.cancel();
                g.cancel();
                Asyncio.sleep(10); // cancelled here
                return "unreachable";
            });
            assertNull(r);
            assertEquals(3, cancelled[0]);
            assertEquals(0, Asyncio.currentTask().cancelling());
            Asyncio.sleep(0);
        });
    }

    @Test
    void aChildCanStopTheGroup() {
        Loops.run(() -> {
            List<String> seen = new ArrayList<>();
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    Asyncio.sleep(0.005);
                    seen.add("stopper");
                    g.cancel();
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        seen.add("sibling cancelled");
                        throw e;
                    }
                });
            });
            assertEquals(List.of("stopper", "sibling cancelled"), seen);
        });
    }

    @Test
    void cancelWhenTheBodyReturnsWithoutAwaiting() {
        Loops.run(() -> {
            TaskGroup.run(g -> {
                g.createTask(() -> Asyncio.sleep(10));
                g.cancel();
            });
            Asyncio.sleep(0);
        });
    }

    @Test
    void supervisedChildrenFailIndependently() {
        Loops.Errors errors = new Loops.Errors();
        Loops.run(errors, () -> {
            List<String> seen = new ArrayList<>();
            Task<?>[] failing = new Task<?>[2];
            TaskGroup.supervise(g -> {
                failing[0] = g.createTask(() -> {
                    throw new IOException("unretrieved");
                });
                failing[1] = g.createTask(() -> {
                    throw new IOException("retrieved");
                });
                g.createTask(() -> {
                    Asyncio.sleep(0.01);
                    seen.add("sibling finished");
                });
                Asyncio.sleep(0.005);
                seen.add("body goes on");
                assertInstanceOf(IOException.class, failing[1].exception());
            });
            assertEquals(List.of("body goes on", "sibling finished"), seen);
            return null;
        });
        List<ExceptionContext> got = errors.all();
        assertEquals(1, got.size(), got.toString());
        assertEquals("Task exception was never retrieved", got.get(0).message());
        assertEquals("unretrieved", got.get(0).exception().getMessage());
    }

    @Test
    void aSupervisorsBodyFailureCancelsTheChildrenAndIsRethrown() {
        Loops.run(() -> {
            boolean[] cancelled = {false};
            IOException body = new IOException("body");
            Exception e = assertThrows(Exception.class, () -> TaskGroup.supervise(g -> {
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError c) {
                        cancelled[0] = true;
                        throw c;
                    }
                });
                Asyncio.sleep(0);
                throw body;
            }));
            assertSame(body, e);
            assertTrue(cancelled[0]);
        });
    }

    @Test
    void startWaitsUntilTheChildIsReady() {
        Loops.run(() -> {
            Order o = new Order();
            int port = TaskGroup.call(g -> {
                int p = g.start((TaskGroup.TaskStatus<Integer> status) -> {
                    o.expect(1);
                    Asyncio.sleep(0.005); // "binding"
                    status.started(8080);  // does not yield: the child runs on to its next await
                    o.expect(2);
                    Asyncio.sleep(0.005);
                    o.expect(4);
                });
                o.expect(3);
                return p;
            });
            o.finish(5);
            assertEquals(8080, port);
        });
    }

    @Test
    void aChildFailingBeforeItIsReadyFailsStartNotTheGroup() {
        Loops.run(() -> {
            IOException early = new IOException("could not bind");
            TaskGroup.run(g -> {
                Exception e = assertThrows(Exception.class, () -> g.start(status -> {
                    throw early;
                }));
                assertSame(early, e);
                IllegalStateException silent = assertThrows(IllegalStateException.class, () -> g.start(status -> { }));
                assertTrue(silent.getMessage().contains("without calling started"));
            });
        });
    }

    @Test
    void aChildFailingAfterItIsReadyFailsTheGroup() {
        Loops.run(() -> {
            IOException later = new IOException("crashed later");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.start(status -> {
                    status.started();
                    assertThrows(InvalidStateException.class, status::started);
                    throw later;
                });
                Asyncio.sleep(10);
            }));
            assertEquals(List.of(later), eg.exceptions());
        });
    }

    @Test
    void cancellingStartCancelsTheChild() {
        Loops.run(() -> {
            boolean[] childCancelled = {false};
            Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(g -> g.start(status -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    childCancelled[0] = true;
                    throw e;
                }
            })));
            Asyncio.sleep(0.005);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(childCancelled[0]);
        });
    }

    @Test
    void eagerChildrenAreWatchedToo() {
        Loops.run(() -> {
            Asyncio.getRunningLoop().setEagerTaskStart(true);
            IOException early = new IOException("eager failure");
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                Task<Void> t = g.createTask(() -> {
                    throw early;
                });
                assertTrue(t.isDone());
                // The group has not cancelled us yet (gh-128550): we get to the next await.
                Asyncio.sleep(10);
            }));
            assertEquals(List.of(early), eg.exceptions());
            Asyncio.getRunningLoop().setEagerTaskStart(false);
        });
    }

    @Test
    void aVirtualMachineErrorIsRethrownAloneAndTheOtherErrorsAreReported() {
        // asyncio's rule for KeyboardInterrupt and SystemExit, applied to VirtualMachineError.
        Loops.Errors errors = new Loops.Errors();
        StackOverflowError fatal = new StackOverflowError("fatal");
        IOException ordinary = new IOException("ordinary");
        Loops.run(errors, () -> {
            Throwable t = assertThrows(Throwable.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    throw ordinary;
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                    } catch (CancelledError e) {
                        throw fatal; // fails while being cancelled
                    }
                });
                Asyncio.sleep(10);
            }));
            assertSame(fatal, t);
            return null;
        });
        assertEquals(1, errors.all().size(), errors.all().toString());
        assertSame(ordinary, errors.all().get(0).exception());
    }

    @Test
    void tasksListsThePendingChildren() {
        Loops.run(() -> TaskGroup.run(g -> {
            Task<Void> a = g.createTask(() -> Asyncio.sleep(0.005));
            assertEquals(Set.of(a), g.tasks());
            assertTrue(g.toString().contains("tasks=1"));
        }));
    }

    @Test
    void childrenNeverOutliveTheGroup() {
        Loops.run(() -> {
            List<Task<?>> children = new ArrayList<>();
            try {
                TaskGroup.run(g -> {
                    for (int i = 0; i < 20; i++) {
                        int k = i;
                        children.add(g.createTask(() -> {
                            Asyncio.sleep(0.001 * (k % 5));
                            if (k == 7) {
                                throw new IOException("7");
                            }
                            Asyncio.sleep(10);
                        }));
                    }
                });
            } catch (ExceptionGroup e) {
                assertEquals(1, e.exceptions().size());
            }
            for (Task<?> c : children) {
                assertTrue(c.isDone(), c + " outlived its group");
            }
            assertFalse(Asyncio.allTasks().stream().anyMatch(children::contains));
        });
    }
}
