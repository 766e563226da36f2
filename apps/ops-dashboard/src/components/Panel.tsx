import { useId, type ReactNode } from 'react';

/** A titled box: the section is named by its heading, so tests and screen readers find it by that name. */
export function Panel({
  title,
  meta,
  className,
  children,
}: {
  title: string;
  /** A short status beside the title ("3 of 5 done"). */
  meta?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={id}>
      <header className="panel__header">
        <h2 id={id} className="panel__title">
          {title}
        </h2>
        {meta !== undefined && meta !== null && meta !== false && <span className="panel__meta">{meta}</span>}
      </header>
      {children}
    </section>
  );
}
