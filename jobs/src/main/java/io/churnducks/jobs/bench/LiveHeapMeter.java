package io.churnducks.jobs.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap the driver JVM still held right after a garbage collection: the heap pools only
 * (a collection also reports metaspace and the code cache, which are not heap and which -Xmx does
 * not bound). It is an upper bound of what the run needed: a young collection leaves the old
 * generation's garbage in place. (The JVM's per-pool peaks, summed, overstate it further: the pools
 * peak at different moments.) Listens to every collector's notifications from {@link #start} to
 * {@link #stop}.
 */
final class LiveHeapMeter implements NotificationListener {

  private final AtomicLong peak = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final Set<String> heapPools = heapPools();

  private static Set<String> heapPools() {
    Set<String> out = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        out.add(pool.getName());
      }
    }
    return Set.copyOf(out);
  }

  void start() {
    peak.set(0);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(this, null, null);
        emitters.add(e);
      }
    }
  }

  /** Stops listening; returns the peak heap after a collection, bytes (0: no collection ran). */
  long stop() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(this);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already removed
      }
    }
    emitters.clear();
    return peak.get();
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  }
}
