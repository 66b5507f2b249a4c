package spcompat.job;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.SourceOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Makes a pipeline's sources idle for the state capture: they set up and register their state
 * as usual, but read nothing and contact nothing. The factories keep their classes and
 * chaining strategies, so Flink computes the same operator IDs.
 */
final class Sources {
    private Sources() {}

    /** Returns how many sources were made idle. */
    static int makeIdle(StreamGraph graph) throws ReflectiveOperationException {
        int n = 0;
        for (StreamNode node : graph.getStreamNodes()) {
            StreamOperatorFactory<?> factory = node.getOperatorFactory();
            if (factory instanceof SourceOperatorFactory) {
                setField(SourceOperatorFactory.class, factory, "source", new IdleSource<>());
                n++;
            } else if (factory instanceof SimpleOperatorFactory) {
                StreamOperator<?> op = ((SimpleOperatorFactory<?>) factory).getOperator();
                if (op.getClass().getName().equals("org.apache.flink.streaming.api.operators.StreamSource")) {
                    AbstractUdfStreamOperator<?, ?> udf = (AbstractUdfStreamOperator<?, ?>) op;
                    setField(AbstractUdfStreamOperator.class, op, "userFunction", idle(udf.getUserFunction()));
                    n++;
                }
            }
        }
        return n;
    }

    private static void setField(Class<?> owner, Object target, String name, Object value)
            throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        f.set(target, value);
    }

    /** A legacy SourceFunction whose run() waits for cancel; everything else reaches the user's function. */
    private static Object idle(Object function) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = function.getClass(); c != null; c = c.getSuperclass()) {
            collect(c, interfaces);
        }
        return Proxy.newProxyInstance(function.getClass().getClassLoader(),
                interfaces.toArray(new Class<?>[0]), new Idle(function));
    }

    private static void collect(Class<?> c, Set<Class<?>> out) {
        for (Class<?> i : c.getInterfaces()) {
            if (out.add(i)) collect(i, out);
        }
    }

    private static final class Idle implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 1L;
        private final Object target;
        private transient CountDownLatch cancelled;

        Idle(Object target) {
            this.target = target;
        }

        private synchronized CountDownLatch latch() {
            if (cancelled == null) cancelled = new CountDownLatch(1);
            return cancelled;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "run":
                    latch().await();
                    return null;
                case "cancel":
                    latch().countDown();
                    return null;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        }
    }
}
